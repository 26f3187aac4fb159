package org.cartengine.tests.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cartengine.cart.serve.SearchServer;
import org.cartengine.cart.serve.Searcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** `cart serve --pictures DIR`: items without media of their own get DIR/ID.png; nothing else of the disk is reachable. */
class PictureDirTest {
  static SearchServer server;
  static Path pictures;

  @BeforeAll
  static void start() throws Exception {
    TinyRun.run();
    pictures = Files.createDirectories(TinyRun.root.resolve("pictures"));
    Files.write(pictures.resolve("ITEM8.png"), TinyRun.PNG); // ids compare without case
    Files.write(pictures.resolve("item0.png"), TinyRun.PNG); // item 0 has media of its own, which wins
    Files.writeString(pictures.resolve("notes.txt"), "not a picture");
    Files.createSymbolicLink(pictures.resolve("item9.png"), TinyRun.secret); // leads out of the directory
    Files.createDirectories(pictures.resolve("sub"));
    Files.write(pictures.resolve("sub/item10.png"), TinyRun.PNG);
    server = new SearchServer(Searcher.of(TinyRun.loaded(), Searcher.Options.defaults().withBeam(5)),
        SearchServer.Options.defaults().withAddress("127.0.0.1", 0), null, pictures).start();
  }

  @AfterAll
  static void stop() {
    if (server != null) server.stop();
  }

  static JsonObject item(String id) throws Exception {
    return JsonParser.parseString(TinyRun.get(server, "/api/items/" + id).body()).getAsJsonObject();
  }

  @Test
  void anItemWithoutMediaGetsItsPictureFromTheDirectory() throws Exception {
    assertEquals("/pictures/ITEM8.png", item("item8").get("picture").getAsString());
    HttpResponse<byte[]> r = TinyRun.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/pictures/ITEM8.png")).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, r.statusCode());
    assertEquals("image/png", r.headers().firstValue("Content-Type").orElse(""));
    assertArrayEquals(TinyRun.PNG, r.body());
    assertEquals("/media/media/item0.png", item("item0").get("picture").getAsString(), "the dataset's own media come first");
  }

  @Test
  void linksOutSubdirectoriesAndOtherFilesAreNotPictures() throws Exception {
    for (String id : new String[] {"item9", "item10", "item11"}) assertTrue(item(id).get("picture").isJsonNull(), id);
    String[] targets = {"/pictures/item9.png", "/pictures/sub/item10.png", "/pictures/notes.txt", "/pictures/../secret.png",
        "/pictures/%2e%2e/secret.png", "/pictures/..%2fsecret.png", "/pictures/", "/pictures/ITEM8.PNG", "/pictures/item8.png%00",
        "/pictures/" + TinyRun.secret, "/pictures/..%5csecret.png"};
    for (String t : targets) {
      RawHttp.Reply r = RawHttp.get(server.port(), t);
      assertTrue(r.status() >= 400 && r.status() < 500, t + " -> " + r.status() + " " + r.body());
      assertFalse(r.body().contains(TinyRun.SECRET), t + " leaked: " + r.body());
    }
  }
}
