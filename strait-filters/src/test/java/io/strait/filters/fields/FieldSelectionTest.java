package io.strait.filters.fields;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The selection syntax and its application to objects, arrays and nested paths. */
class FieldSelectionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER = """
            {"id":7,"name":"Ada","password":"x","address":{"city":"London","zip":"N1","geo":{"lat":1,"lon":2}},
             "tags":["a"],"orders":[{"id":1,"total":3,"internal":true},{"id":2,"total":4,"internal":false}]}""";

    private static String keep(String selection, String json) throws Exception {
        JsonNode n = JSON.readTree(json);
        FieldSelection.parse(selection).keep(n);
        return n.toString();
    }

    @Test
    void selectsTopLevelAndNestedFieldsOfObjects() throws Exception {
        assertThat(keep("id,name", USER)).isEqualTo("{\"id\":7,\"name\":\"Ada\"}");
        assertThat(keep("id,address.city", USER)).isEqualTo("{\"id\":7,\"address\":{\"city\":\"London\"}}");
        assertThat(keep("address(city,geo.lat)", USER)).isEqualTo("{\"address\":{\"city\":\"London\",\"geo\":{\"lat\":1}}}");
        // a path inside an array of objects shapes each element; a wider selection wins over a narrower one
        assertThat(keep("orders.id", USER)).isEqualTo("{\"orders\":[{\"id\":1},{\"id\":2}]}");
        assertThat(keep("address.city,address", USER)).contains("\"zip\":\"N1\"");
        // a field that is not there selects nothing, silently (as Google's partial responses do)
        assertThat(keep("id,nope.deeper", USER)).isEqualTo("{\"id\":7}");
    }

    @Test
    void selectsFieldsOfEveryElementOfATopLevelArray() throws Exception {
        assertThat(keep("id", "[{\"id\":1,\"x\":2},{\"id\":3,\"x\":4},5]")).isEqualTo("[{\"id\":1},{\"id\":3},5]");
    }

    @Test
    void denyRemovesFieldsWhereverTheyAre() throws Exception {
        JsonNode n = JSON.readTree(USER);
        FieldSelection.parseAll(java.util.List.of("password", "orders.internal", "address.geo")).remove(n);
        assertThat(n.has("password")).isFalse();
        assertThat(n.path("orders").get(0).has("internal")).isFalse();
        assertThat(n.path("orders").get(0).path("total").asInt()).isEqualTo(3);
        assertThat(n.path("address").has("geo")).isFalse();
        assertThat(n.path("address").path("city").asText()).isEqualTo("London");
    }

    @Test
    void aClientSelectionStaysWithinTheAllowList() throws Exception {
        FieldSelection allow = FieldSelection.parseAll(java.util.List.of("id", "name", "address.city"));
        FieldSelection both = FieldSelection.intersect(allow, FieldSelection.parse("address,password,id"));
        JsonNode n = JSON.readTree(USER);
        both.keep(n);
        assertThat(n.toString()).isEqualTo("{\"id\":7,\"address\":{\"city\":\"London\"}}");
        FieldSelection none = FieldSelection.intersect(allow, FieldSelection.parse("password"));
        JsonNode m = JSON.readTree(USER);
        none.keep(m);
        assertThat(m.toString()).isEqualTo("{}");
        assertThat(FieldSelection.intersect(null, null)).isNull();
    }

    @Test
    void malformedSelectionsSayWhere() {
        assertThatThrownBy(() -> FieldSelection.parse("a,,b")).hasMessage("expected a field name, found ',' at position 2 of 'a,,b'");
        assertThatThrownBy(() -> FieldSelection.parse("a.")).hasMessage("expected a field name at position 2 of 'a.'");
        assertThatThrownBy(() -> FieldSelection.parse("a(b")).hasMessage("missing ')' at position 3 of 'a(b'");
        assertThatThrownBy(() -> FieldSelection.parse("a b")).hasMessage("unexpected ' ' at position 1 of 'a b'");
        assertThatThrownBy(() -> FieldSelection.parse("a".repeat(1) + ",a".repeat(FieldSelection.MAX_PATHS)))
                .hasMessageStartingWith("more than 100 fields");
        assertThat(FieldSelection.parse("a,b.c,d(e,f)").toString()).isEqualTo("a,b.c,d.e,d.f");
    }
}
