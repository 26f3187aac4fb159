package org.cartengine.tests.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import org.cartengine.cart.serve.SearchServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Media come only from inside the dataset directory: traversal by "..", its encoded forms and symbolic links is refused. */
class MediaTraversalTest {
  static SearchServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TinyRun.server();
    assertTrue(Files.exists(TinyRun.secret), "the file outside the dataset exists, so a leak would be visible");
  }

  @AfterAll
  static void stop() {
    if (server != null) server.stop();
  }

  @Test
  void aListedImageInsideTheDirectoryIsServed() throws Exception {
    HttpResponse<byte[]> r = TinyRun.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/media/media/item1.png")).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, r.statusCode());
    assertEquals("image/png", r.headers().firstValue("Content-Type").orElse(""));
    assertArrayEquals(TinyRun.PNG, r.body());
  }

  @Test
  void traversalIsRefused() throws Exception {
    String[] targets = {
        "/media/../secret.png", "/media/%2e%2e/secret.png", "/media/%2E%2E/secret.png", "/media/..%2fsecret.png", "/media/..%2Fsecret.png",
        "/media/%2e%2e%2fsecret.png", "/media/media/../../secret.png", "/media/media/%2e%2e/%2e%2e/secret.png", "/media/%252e%252e/secret.png",
        "/media/..%5csecret.png", "/media/..\\secret.png", "/media//etc/passwd", "/media/%2fetc%2fpasswd", "/media/.%2e/secret.png",
        "/media/media/item0.png%00", "/media/media/item0.png%00.png", "/media/..;/secret.png", "/media/%c0%ae%c0%ae/secret.png",
        "/../secret.png", "/%2e%2e/secret.png", "/media/../../../../../../etc/passwd", "/media/" + TinyRun.secret,
        // listed in items.tsv, yet leading outside: "../secret.png", and a symbolic link to the secret
        "/media/../secret.png", "/media/media/link.png",
        // inside the directory but not an item's media: the dataset's own files
        "/media/items.npy", "/media/items.tsv", "/media/dataset.json", "/media/items.npy.png", "/media/media/missing.png", "/media/media",
        "/media/", "/media/https://example.org/picture.png"};
    for (String t : targets) {
      RawHttp.Reply r = RawHttp.get(server.port(), t);
      assertTrue(r.status() >= 400 && r.status() < 500, t + " -> " + r.status() + " " + r.body());
      assertFalse(r.body().contains(TinyRun.SECRET) || r.body().contains("root:"), t + " leaked: " + r.body());
    }
  }

  @Test
  void picturesOnlyPointInsideTheDirectoryOrToUrls() throws Exception {
    // Item 4's media is "../secret.png", item 5's a symbolic link out, item 6's a missing file and item 7's a file of
    // the directory that is not its media: the API offers no picture for them (the page would show a broken image).
    for (String id : new String[] {"item4", "item5", "item6", "item7"}) {
      String body = TinyRun.get(server, "/api/items/" + id).body();
      var o = com.google.gson.JsonParser.parseString(body).getAsJsonObject();
      assertTrue(o.get("picture").isJsonNull(), id + " " + body);
    }
  }
}
