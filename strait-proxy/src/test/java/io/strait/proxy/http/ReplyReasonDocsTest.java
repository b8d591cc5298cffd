package io.strait.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/operations.md's table of {@code reason} values is the enum's, row for row, in its order. */
class ReplyReasonDocsTest {
    private static final Path OPERATIONS = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize()
            .getParent().resolve("docs/operations.md");
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z_]+)` \\|", Pattern.MULTILINE);

    @Test
    void theDocumentedReasonsAreTheEnumsLabels() throws IOException {
        String doc = Files.readString(OPERATIONS);
        int start = doc.indexOf("| `reason` | when |");
        assertThat(start).as("the reason table in %s", OPERATIONS).isPositive();
        String table = doc.substring(doc.indexOf('\n', start), doc.indexOf("\n\n", start)); // the rows, not the head
        List<String> documented = new ArrayList<>();
        Matcher m = ROW.matcher(table);
        while (m.find()) documented.add(m.group(1));
        assertThat(documented).containsExactlyElementsOf(Arrays.stream(ReplyReason.values()).map(ReplyReason::label).toList());
    }

    @Test
    void labelsAreDistinctSnakeCaseWords() {
        List<String> labels = Arrays.stream(ReplyReason.values()).map(ReplyReason::label).toList();
        assertThat(labels).doesNotHaveDuplicates().allMatch(l -> l.matches("[a-z]+(_[a-z]+)*"));
    }
}
