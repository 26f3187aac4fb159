package org.cartengine.engine.io;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;

/**
 * The safetensors format (8-byte little-endian header length, a JSON header of name -> {dtype, shape,
 * data_offsets} plus "__metadata__", then raw little-endian data), so PyTorch's safetensors package
 * reads our checkpoints. Writes are atomic ({@link AtomicFiles}); every file carries its SHA-256 in
 * {@code __metadata__} and readers verify it ({@link Checksums}).
 */
public final class Safetensors {
  private Safetensors() {}

  private static String code(DType d) {
    return switch (d) {
      case F32 -> "F32";
      case F64 -> "F64";
      case I32 -> "I32";
    };
  }

  private static DType dtype(String code, Path file, String name) {
    return switch (code) {
      case "F32" -> DType.F32;
      case "F64" -> DType.F64;
      case "I32" -> DType.I32;
      default -> throw new IllegalArgumentException(file + ": tensor " + name + " has unsupported dtype " + code);
    };
  }

  /**
   * Writes {@code tensors} with {@code metadata} to {@code file} ({@link AtomicFiles}). The header's
   * {@code __metadata__} always begins with {@code "sha256"}: the file's checksum ({@link Checksums}).
   */
  public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
    AtomicFiles.commit(stage(file, tensors, metadata), file);
  }

  /** {@link AtomicFiles#stage} of the file {@link #write} writes: a forced temporary beside {@code file}. */
  public static Path stage(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
    JsonObject header = new JsonObject();
    JsonObject meta = new JsonObject();
    meta.addProperty(Checksums.FIELD, Checksums.ZERO);
    if (metadata != null) metadata.forEach((k, v) -> {
      if (!k.equals(Checksums.FIELD)) meta.addProperty(k, v);
    });
    header.add("__metadata__", meta);
    long pos = 0;
    for (var e : tensors.entrySet()) {
      Tensor t = e.getValue();
      JsonObject o = new JsonObject();
      o.addProperty("dtype", code(t.dtype()));
      var shape = new com.google.gson.JsonArray();
      for (int s : t.shape()) shape.add(s);
      o.add("shape", shape);
      long len = (long) t.numel() * t.dtype().bytes;
      var offs = new com.google.gson.JsonArray();
      offs.add(pos);
      offs.add(pos + len);
      o.add("data_offsets", offs);
      header.add(e.getKey(), o);
      pos += len;
    }
    byte[] hb = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
    int pad = (8 - hb.length % 8) % 8;
    byte[] hdr = Arrays.copyOf(hb, hb.length + pad);
    Arrays.fill(hdr, hb.length, hdr.length, (byte) ' ');
    ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hdr.length);
    byte[] prefix = new byte[8 + hdr.length];
    System.arraycopy(lenBuf.array(), 0, prefix, 0, 8);
    System.arraycopy(hdr, 0, prefix, 8, hdr.length);
    int at = Checksums.position(prefix);
    return AtomicFiles.stage(file, (FileChannel ch) -> {
      // The hash covers the whole file with the placeholder in place; the digits are patched in last.
      MessageDigest md = Checksums.sha256();
      md.update(prefix);
      writeFully(ch, ByteBuffer.wrap(prefix));
      for (Tensor t : tensors.values()) {
        ByteBuffer bb = ByteBuffer.allocate(t.numel() * t.dtype().bytes).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.dtype()) {
          case F32 -> bb.asFloatBuffer().put(t.toFloatArray());
          case F64 -> bb.asDoubleBuffer().put(t.toDoubleArray());
          case I32 -> bb.asIntBuffer().put(t.toIntArray());
        }
        md.update(bb.array());
        writeFully(ch, bb);
      }
      byte[] digits = Checksums.hex(md.digest()).getBytes(StandardCharsets.ISO_8859_1);
      ByteBuffer d = ByteBuffer.wrap(digits);
      for (long p = at; d.hasRemaining(); ) p += ch.write(d, p);
    });
  }

  private static void writeFully(FileChannel ch, ByteBuffer bb) throws IOException {
    while (bb.hasRemaining()) ch.write(bb);
  }

  /** All tensors of a file, on the given backend, in file order. */
  public static Map<String, Tensor> read(Path file, Backend be) throws IOException {
    return readWithMetadata(file, be, null);
  }

  /**
   * Reads a file after checking its SHA-256 (files from before checksums are read with a warning). Every problem is
   * an IOException of one line naming the file: a checksum mismatch, a truncated file, a malformed header.
   */
  public static Map<String, Tensor> readWithMetadata(Path file, Backend be, Map<String, String> metadataOut) throws IOException {
    byte[] all;
    try {
      all = Files.readAllBytes(file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IOException(file + ": missing");
    } catch (OutOfMemoryError e) {
      throw new IOException(file + ": too large to read (" + Files.size(file) + " bytes)");
    }
    if (all.length < 8) throw new IOException(file + ": not a safetensors file (shorter than 8 bytes)");
    ByteBuffer bb = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    long hlen = bb.getLong();
    if (hlen < 2 || hlen > all.length - 8) throw new IOException(file + ": header length " + hlen + " does not fit a file of " + all.length + " bytes");
    Checksums.verify(all, file);
    try {
      return parse(all, (int) hlen, file, be, metadataOut);
    } catch (IOException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IOException(file + ": malformed safetensors header: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), e);
    }
  }

  private static Map<String, Tensor> parse(byte[] all, int hlen, Path file, Backend be, Map<String, String> metadataOut) throws IOException {
    JsonObject header = JsonParser.parseString(new String(all, 8, hlen, StandardCharsets.UTF_8)).getAsJsonObject();
    int base = 8 + hlen;
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (var e : header.entrySet()) {
      if (e.getKey().equals("__metadata__")) {
        if (metadataOut != null) e.getValue().getAsJsonObject().entrySet().forEach(m -> {
          if (!m.getKey().equals(Checksums.FIELD)) metadataOut.put(m.getKey(), m.getValue().getAsString());
        });
        continue;
      }
      JsonObject o = e.getValue().getAsJsonObject();
      DType dt = dtype(o.get("dtype").getAsString(), file, e.getKey());
      var sh = o.getAsJsonArray("shape");
      int[] shape = new int[sh.size()];
      long numel = 1;
      for (int i = 0; i < shape.length; i++) {
        long s = sh.get(i).getAsLong();
        if (s < 0 || s > Integer.MAX_VALUE) throw new IOException(file + ": tensor " + e.getKey() + " has dimension " + s);
        shape[i] = (int) s;
        numel = Math.multiplyExact(numel, s);
      }
      long start = o.getAsJsonArray("data_offsets").get(0).getAsLong(), end = o.getAsJsonArray("data_offsets").get(1).getAsLong();
      if (numel > Integer.MAX_VALUE || start < 0 || end < start || end - start != numel * dt.bytes || end > all.length - base)
        throw new IOException(file + ": tensor " + e.getKey() + " has data_offsets [" + start + ", " + end + "] inconsistent with shape " + Arrays.toString(shape) + " " + dt
            + " in a file of " + all.length + " bytes");
      int n = (int) numel;
      ByteBuffer slice = ByteBuffer.wrap(all, base + (int) start, (int) (end - start)).slice().order(ByteOrder.LITTLE_ENDIAN);
      Tensor t;
      switch (dt) {
        case F32 -> {
          float[] f = new float[n];
          slice.asFloatBuffer().get(f);
          t = Tensor.of(be, f, shape);
        }
        case F64 -> {
          double[] d = new double[n];
          slice.asDoubleBuffer().get(d);
          t = Tensor.of(be, d, shape);
        }
        default -> {
          int[] iv = new int[n];
          slice.asIntBuffer().get(iv);
          t = Tensor.ofInts(be, iv, shape);
        }
      }
      out.put(e.getKey(), t);
    }
    return out;
  }

  /**
   * Loads a file into a module's parameters; every name must exist on both sides with the same shape
   * and dtype, otherwise the error lists exactly what does not match.
   */
  public static void loadInto(org.cartengine.engine.nn.Module module, Map<String, Tensor> tensors, String source) {
    Map<String, Tensor> params = module.parameters();
    java.util.List<String> problems = new java.util.ArrayList<>();
    for (var e : params.entrySet()) {
      Tensor v = tensors.get(e.getKey());
      Tensor p = e.getValue();
      if (v == null) problems.add("missing in file: " + e.getKey() + " " + p.dtype() + Arrays.toString(p.shape()));
      else if (!Arrays.equals(v.shape(), p.shape()) || v.dtype() != p.dtype())
        problems.add("mismatch: " + e.getKey() + " is " + v.dtype() + Arrays.toString(v.shape()) + " in the file, the model expects "
            + p.dtype() + Arrays.toString(p.shape()) + (v.dtype() != p.dtype() ? " (dtype differs)" : " (shape differs)"));
    }
    for (String k : tensors.keySet()) if (!params.containsKey(k)) problems.add("unexpected in file: " + k);
    if (!problems.isEmpty()) {
      // One line (the CLI prints errors as one line), the first few problems in full.
      String shown = String.join("; ", problems.subList(0, Math.min(4, problems.size())));
      throw new IllegalArgumentException(source + ": checkpoint does not match the model: " + shown
          + (problems.size() > 4 ? "; and " + (problems.size() - 4) + " more" : ""));
    }
    for (var e : params.entrySet()) org.cartengine.engine.nn.Module.assign(e.getValue(), tensors.get(e.getKey()));
  }
}
