package org.cartengine.tests.serve;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** HTTP/1.1 over a plain socket, for requests no well-behaved client would send (raw paths, broken bodies, lying headers). */
final class RawHttp {
  record Reply(int status, String head, String body) {}

  private RawHttp() {}

  /** Sends {@code request} as is and reads the reply until the server closes (the request should say Connection: close). */
  static Reply send(int port, byte[] request, int timeoutMillis) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(timeoutMillis);
      OutputStream out = s.getOutputStream();
      try {
        out.write(request);
        out.flush();
      } catch (IOException e) {
        // The server may answer and close before reading everything (an oversized body): read what it said.
      }
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      byte[] b = new byte[8192];
      try {
        for (int n; (n = in.read(b)) > 0; ) buf.write(b, 0, n);
      } catch (SocketTimeoutException e) {
        if (buf.size() == 0) throw new IOException("no reply within " + timeoutMillis + " ms", e);
      } catch (IOException e) {
        if (buf.size() == 0) throw e; // reset after the reply was written is fine
      }
      String text = buf.toString(StandardCharsets.UTF_8);
      int end = text.indexOf("\r\n\r\n");
      String head = end < 0 ? text : text.substring(0, end);
      String body = end < 0 ? "" : text.substring(end + 4);
      if (!head.startsWith("HTTP/1.1 ")) throw new IOException("not an HTTP reply: " + head);
      return new Reply(Integer.parseInt(head.substring(9, 12)), head, body);
    }
  }

  static Reply get(int port, String rawTarget) throws IOException {
    return send(port, ("GET " + rawTarget + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1), 15000);
  }

  static Reply post(int port, String path, byte[] body) throws IOException {
    byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " + body.length
        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = new byte[head.length + body.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(body, 0, all, head.length, body.length);
    return send(port, all, 15000);
  }
}
