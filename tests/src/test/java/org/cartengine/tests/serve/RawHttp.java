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

  /**
   * The server closed the connection while the request was still being sent, and no reply arrived. A server that refuses
   * a request before reading all of it (a 414 for a 20 KB URI after 8 KB, a 431 for a 20 KB header) answers and closes
   * with the rest of the request unread; the kernel then resets the connection instead of closing it, and a reset
   * discards whatever of the reply the server's socket had not yet transmitted (more likely under load). So the
   * transport can lose a reply the server did send: the caller checks the server's own count of answers instead.
   */
  static final class CutWhileSending extends IOException {
    CutWhileSending(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private RawHttp() {}

  /** Sends {@code request} as is and reads the reply until the server closes (the request should say Connection: close). */
  static Reply send(int port, byte[] request, int timeoutMillis) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(timeoutMillis);
      OutputStream out = s.getOutputStream();
      // Written by another thread while this one reads: a server that refuses the request early answers while it is
      // still being sent, and the reply is read as soon as it arrives rather than after a write the reset cut.
      IOException[] writeFailure = new IOException[1];
      Thread writer = new Thread(() -> {
        try {
          out.write(request);
          out.flush();
        } catch (IOException e) {
          writeFailure[0] = e;  // the server answered and closed before reading everything: its reply is read below
        }
      }, "raw-http-writer");
      writer.setDaemon(true);
      writer.start();
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      byte[] b = new byte[8192];
      IOException readFailure = null;
      try {
        for (int n; (n = in.read(b)) > 0; ) buf.write(b, 0, n);
      } catch (SocketTimeoutException e) {
        if (buf.size() == 0) throw new IOException("no reply within " + timeoutMillis + " ms", e);
      } catch (IOException e) {
        readFailure = e; // a reset after the reply was read is fine
      }
      try {
        writer.join(timeoutMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (buf.size() == 0 && (writeFailure[0] != null || readFailure != null) && writer.getState() == Thread.State.TERMINATED
          && (writeFailure[0] != null || sentLess(request))) {
        IOException cause = writeFailure[0] != null ? writeFailure[0] : readFailure;
        throw new CutWhileSending("connection reset while the request (" + request.length + " bytes) was being sent, no reply: " + cause, cause);
      }
      if (buf.size() == 0 && readFailure != null) throw readFailure;
      String text = buf.toString(StandardCharsets.UTF_8);
      int end = text.indexOf("\r\n\r\n");
      String head = end < 0 ? text : text.substring(0, end);
      String body = end < 0 ? "" : text.substring(end + 4);
      if (!head.startsWith("HTTP/1.1 ")) throw new IOException("not an HTTP reply: " + head);
      return new Reply(Integer.parseInt(head.substring(9, 12)), head, body);
    }
  }

  /** Requests larger than the socket's send buffer are the ones a server can cut while they are being sent. */
  private static boolean sentLess(byte[] request) {
    return request.length > 8192;
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
