package org.cartengine.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 keep-alive connection that sends GET requests one after another and reads each answer whole, for
 * the load generator. The JDK's HttpClient costs a few hundred microseconds of CPU per request (its selector thread,
 * futures and header maps); on a 2-core machine that the load generator shares with the server, that CPU is taken
 * from the server being measured. Here a request is one write of pre-built bytes and an answer one buffered read.
 *
 * <p>Only what a {@code cart serve} answer needs is understood: a status line, headers, and a body framed by
 * Content-Length (chunked bodies are read too). A connection the server closes is reopened on the next request.
 */
final class LoopbackHttp implements AutoCloseable {
  private final InetAddress host;
  private final int port;
  private final byte[] hostHeader;
  private Socket socket;
  private InputStream in;
  private OutputStream out;
  private final StringBuilder line = new StringBuilder();

  LoopbackHttp(InetAddress host, int port) {
    if (!host.isLoopbackAddress()) throw new IllegalArgumentException(host + " is not a loopback address");
    this.host = host;
    this.port = port;
    String h = host.getHostAddress().contains(":") ? "[" + host.getHostAddress() + "]" : host.getHostAddress();
    this.hostHeader = (" HTTP/1.1\r\nHost: " + h + ":" + port + "\r\nAccept: application/json\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** Sends GET {@code pathAndQuery} (already percent-encoded) and returns the status; the body is read and dropped. */
  int get(String pathAndQuery) throws IOException {
    byte[] target = ("GET " + pathAndQuery).getBytes(StandardCharsets.US_ASCII);
    for (int attempt = 0; ; attempt++) {
      boolean fresh = socket == null;
      if (fresh) open();
      try {
        out.write(target);
        out.write(hostHeader);
        out.flush();
        return readResponse();
      } catch (IOException e) {
        // A kept-alive connection the server closed between requests fails on its first use: retry once on a new one.
        closeQuietly();
        if (fresh || attempt > 0) throw e;
      }
    }
  }

  private void open() throws IOException {
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    s.connect(new InetSocketAddress(host, port), 5_000);
    s.setSoTimeout(60_000);
    socket = s;
    in = new BufferedInputStream(s.getInputStream(), 1 << 16);
    out = s.getOutputStream();
  }

  private int readResponse() throws IOException {
    String status = readLine();
    if (status == null) throw new IOException("connection closed before a status line");
    // "HTTP/1.1 200 OK"
    int sp = status.indexOf(' ');
    if (!status.startsWith("HTTP/1.") || sp < 0 || status.length() < sp + 4) throw new IOException("not an HTTP status line: " + status);
    int code = Integer.parseInt(status.substring(sp + 1, sp + 4));
    long length = -1;
    boolean chunked = false, close = false;
    for (String h; (h = readLine()) != null && !h.isEmpty(); ) {
      int c = h.indexOf(':');
      if (c < 0) continue;
      String name = h.substring(0, c).trim(), value = h.substring(c + 1).trim();
      if (name.equalsIgnoreCase("Content-Length")) length = Long.parseLong(value);
      else if (name.equalsIgnoreCase("Transfer-Encoding")) chunked = value.toLowerCase(java.util.Locale.ROOT).contains("chunked");
      else if (name.equalsIgnoreCase("Connection")) close = value.equalsIgnoreCase("close");
    }
    if (chunked) {
      for (long n; (n = Long.parseLong(stripExtension(readLine()), 16)) > 0; ) {
        skip(n);
        readLine();
      }
      for (String t; (t = readLine()) != null && !t.isEmpty(); ) {} // trailers
    } else if (length >= 0) {
      skip(length);
    } else {
      close = true; // body until the connection closes
      while (in.read() >= 0) {}
    }
    if (close) closeQuietly();
    return code;
  }

  private static String stripExtension(String chunkLine) throws IOException {
    if (chunkLine == null) throw new IOException("connection closed inside a chunked body");
    int semi = chunkLine.indexOf(';');
    return (semi < 0 ? chunkLine : chunkLine.substring(0, semi)).trim();
  }

  private void skip(long n) throws IOException {
    while (n > 0) {
      long k = in.skip(n);
      if (k <= 0) {
        if (in.read() < 0) throw new IOException("connection closed inside a body");
        k = 1;
      }
      n -= k;
    }
  }

  /** One CRLF-terminated line without its terminator; null at end of stream before any byte. */
  private String readLine() throws IOException {
    line.setLength(0);
    for (int b; ; ) {
      b = in.read();
      if (b < 0) return line.length() == 0 ? null : line.toString();
      if (b == '\n') {
        int n = line.length();
        if (n > 0 && line.charAt(n - 1) == '\r') line.setLength(n - 1);
        return line.toString();
      }
      if (line.length() > 65_536) throw new IOException("header line longer than 64 KiB");
      line.append((char) b);
    }
  }

  private void closeQuietly() {
    try {
      if (socket != null) socket.close();
    } catch (IOException ignored) {
      // closing a socket that already failed
    }
    socket = null;
    in = null;
    out = null;
  }

  @Override
  public void close() {
    closeQuietly();
  }
}
