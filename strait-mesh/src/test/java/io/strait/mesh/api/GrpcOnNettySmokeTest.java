package io.strait.mesh.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.strait.mesh.api.v1.HeartbeatRequest;
import io.strait.mesh.api.v1.HeartbeatResponse;
import io.strait.mesh.api.v1.RegistryServiceGrpc;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** grpc-netty runs on the project's Netty (4.2), not a shaded copy: one call over a real socket. */
class GrpcOnNettySmokeTest {

  @Test
  void aUnaryCallRoundTripsOverGrpcNetty() throws Exception {
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(
                new RegistryServiceGrpc.RegistryServiceImplBase() {
                  @Override
                  public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> out) {
                    out.onNext(HeartbeatResponse.newBuilder().setKnown(request.getInstanceId().equals("a")).build());
                    out.onCompleted();
                  }
                })
            .build()
            .start();
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    try {
      var stub = RegistryServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
      assertThat(stub.heartbeat(HeartbeatRequest.newBuilder().setInstanceId("a").build()).getKnown()).isTrue();
      assertThat(stub.heartbeat(HeartbeatRequest.newBuilder().setInstanceId("b").build()).getKnown()).isFalse();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
