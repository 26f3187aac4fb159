package org.cartengine.tests.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cartengine.cart.run.RunDir;
import org.cartengine.cart.serve.SearchServer;
import org.cartengine.cart.serve.Searcher;
import org.junit.jupiter.api.Test;

/** Loopback by default, a clean stop that finishes requests in flight, and `cart serve` ending on SIGTERM. */
class ServeShutdownTest {

  @Test
  void bindsLoopbackUnlessToldOtherwise() throws Exception {
    assertEquals("127.0.0.1", SearchServer.Options.defaults().host());
    try (SearchServer s = TinyRun.server()) {
      assertTrue(InetAddress.getByName(s.host()).isLoopbackAddress());
      Optional<InetAddress> other = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
          .flatMap(i -> Collections.list(i.getInetAddresses()).stream()).filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress()).findFirst();
      if (other.isPresent()) {
        // Reachable on loopback, not on the machine's other address.
        try (Socket ok = new Socket()) {
          ok.connect(new InetSocketAddress("127.0.0.1", s.port()), 2000);
        }
        assertThrows(IOException.class, () -> {
          try (Socket no = new Socket()) {
            no.connect(new InetSocketAddress(other.get(), s.port()), 2000);
          }
        });
      }
    }
  }

  @Test
  void stopFinishesRequestsInFlight() throws Exception {
    java.util.concurrent.CountDownLatch searching = new java.util.concurrent.CountDownLatch(1);
    Searcher.ResultReranker slow = (q, c) -> {
      searching.countDown();
      try {
        Thread.sleep(1500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return c;
    };
    SearchServer s = TinyRun.server(Searcher.Options.defaults().withBeam(5).withReranker(slow), SearchServer.Options.defaults().withAddress("127.0.0.1", 0));
    int port = s.port();
    CompletableFuture<RawHttp.Reply> inFlight = CompletableFuture.supplyAsync(() -> {
      try {
        return RawHttp.get(port, "/api/search?q=red%20cat");
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    assertTrue(searching.await(60, TimeUnit.SECONDS), "the request never reached its search");
    s.stop(); // while the request waits on its search

    RawHttp.Reply r = inFlight.get(30, TimeUnit.SECONDS);
    assertEquals(200, r.status(), r.body());
    assertThrows(IOException.class, () -> RawHttp.get(port, "/api/health"), "a stopped server accepts no connection");
  }

  @Test
  void cartServeStopsOnSigterm() throws Exception {
    Path run = TinyRun.run();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "--add-modules=jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
        "org.cartengine.cart.cli.Main", "serve", "--run", run.toString(), "--port", "0", "--beam", "5"));
    // Output goes to a file, read as it grows: nothing races with the pipe closing when the process exits.
    Path log = Files.createTempFile("cart-serve", ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("CART_NO_RELAUNCH", "1");
    Process p = pb.start();
    java.util.function.Supplier<String> out = () -> {
      try {
        return Files.readString(log, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "(cannot read " + log + ": " + e.getMessage() + ")";
      }
    };
    try {
      Pattern serving = Pattern.compile("serving .* at http://127\\.0\\.0\\.1:(\\d+)/");
      int port = -1;
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (port < 0 && p.isAlive() && System.nanoTime() < deadline) {
        Matcher m = serving.matcher(out.get());
        if (m.find()) port = Integer.parseInt(m.group(1));
        else Thread.sleep(100);
      }
      assertTrue(port > 0, "no 'serving' line:\n" + out.get());
      assertEquals(200, RawHttp.get(port, "/api/search?q=blue%20tree").status());
      p.destroy(); // SIGTERM
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "cart serve did not stop within 30 s of SIGTERM");
      assertTrue(out.get().contains("cart serve: stopping"), out.get());
      assertEquals(143, p.exitValue(), "exit status after SIGTERM (128 + 15)\n" + out.get());
      int closed = port;
      assertThrows(IOException.class, () -> RawHttp.get(closed, "/api/health"));
    } finally {
      if (p.isAlive()) p.destroyForcibly();
    }
  }

  @Test
  void badServeArgumentsAreOneLineErrors() throws Exception {
    Path run = TinyRun.run();
    byte[] before = Files.readAllBytes(run.resolve(RunDir.RUN_JSON));
    String missing = run.resolve("missing").toString();
    assertServeError(missing, "serve", "--run", missing, "--port", "0");
    assertServeError("--port", "serve", "--run", run.toString(), "--port", "70000");
    assertServeError("--batch-wait-ms", "serve", "--run", run.toString(), "--port", "0", "--batch-wait-ms", "5000");
    // the refused commands left the run as it was
    org.junit.jupiter.api.Assertions.assertArrayEquals(before, Files.readAllBytes(run.resolve(RunDir.RUN_JSON)));
  }

  /** Exit 2 and exactly one {@code error:} line on stderr naming {@code what}, without a stack trace. */
  static void assertServeError(String what, String... args) {
    java.io.StringWriter err = new java.io.StringWriter();
    picocli.CommandLine cl = org.cartengine.cart.cli.Main.commandLine();
    cl.setErr(new java.io.PrintWriter(err, true));
    int code = cl.execute(args);
    String e = err.toString();
    assertEquals(2, code, String.join(" ", args) + "\n" + e);
    java.util.List<String> errors = e.lines().filter(l -> l.startsWith("error:")).toList();
    assertEquals(1, errors.size(), e);
    org.junit.jupiter.api.Assertions.assertTrue(errors.get(0).contains(what), "the error should name " + what + ": " + e);
    org.junit.jupiter.api.Assertions.assertTrue(e.lines().noneMatch(l -> l.startsWith("\tat ")), e);
  }
}
