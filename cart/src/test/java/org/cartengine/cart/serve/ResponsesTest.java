package org.cartengine.cart.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.stream.JsonReader;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

class ResponsesTest {
  @Test
  void nonFiniteNumbersGoOutAsNullSoThatStrictParsersAcceptTheAnswer() throws Exception {
    JsonObject o = new JsonObject();
    o.addProperty("reconError", Double.NaN);
    o.addProperty("ok", 1.5);
    o.addProperty("count", 3);
    JsonArray a = new JsonArray();
    a.add(Double.POSITIVE_INFINITY);
    a.add(Float.NEGATIVE_INFINITY);
    a.add(2);
    JsonObject inner = new JsonObject();
    inner.add("xs", a);
    o.add("inner", inner);
    String text = Responses.GSON.toJson(Responses.finite(o));
    JsonReader strict = new JsonReader(new StringReader(text));
    strict.setLenient(false);
    JsonElement back = new com.google.gson.Gson().getAdapter(JsonElement.class).read(strict); // throws on NaN or Infinity
    assertEquals("{\"reconError\":null,\"ok\":1.5,\"count\":3,\"inner\":{\"xs\":[null,null,2]}}", back.toString());
  }
}
