package io.strait.mesh.inject;

/**
 * What the injected sidecar is made of: its image, the control plane it joins ({@code host:port} of its API) and the
 * mesh's trust domain. The join token comes from a Secret of the pod's namespace, {@code strait-join-<service
 * account>} (key {@code token}) unless the pod names another ({@link SidecarInjector#JOIN_TOKEN_SECRET}); the trust
 * bundle from the ConfigMap {@value #TRUST_BUNDLE_CONFIGMAP} (key {@value #TRUST_BUNDLE_KEY}).
 */
public record InjectSettings(String image, String imagePullPolicy, String controlPlaneAddress, String trustDomain) {
    /** The image bin/release's tarball and the Dockerfile make; the chart and the CLI set their own. */
    public static final String DEFAULT_IMAGE = "strait:0.1.0";
    /** The control plane's Service in the chart's namespace, Istio's istiod port. */
    public static final String DEFAULT_CONTROL_PLANE = "strait-control-plane.strait-system.svc:15012";
    public static final String TRUST_BUNDLE_CONFIGMAP = "strait-trust-bundle";
    public static final String TRUST_BUNDLE_KEY = "trust-bundle.pem";
    public static final InjectSettings DEFAULTS = new InjectSettings(DEFAULT_IMAGE, "IfNotPresent", DEFAULT_CONTROL_PLANE, "cluster.local");

    public InjectSettings {
        image = image == null ? DEFAULT_IMAGE : image;
        imagePullPolicy = imagePullPolicy == null ? "IfNotPresent" : imagePullPolicy;
        controlPlaneAddress = controlPlaneAddress == null ? DEFAULT_CONTROL_PLANE : controlPlaneAddress;
        trustDomain = trustDomain == null ? "cluster.local" : trustDomain;
    }
}
