package org.cartengine.cart.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
  @TempDir Path tmp;

  static float[] randomValues(int n, long seed) {
    Random r = new Random(seed);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * 3);
    return a;
  }

  static float[] roundedToHalf(float[] a) {
    float[] b = new float[a.length];
    for (int i = 0; i < a.length; i++) b[i] = Float16.toFloat(Float16.fromFloat(a[i]));
    return b;
  }

  /** For any shape, writing then reading (mapped file or stream) gives the values back, rounded for float16. */
  @Property(tries = 40)
  void roundTrip(@ForAll @IntRange(max = 40) int rows, @ForAll @IntRange(max = 17) int dim, @ForAll boolean half,
      @ForAll long seed) throws IOException {
    float[] data = randomValues(rows * dim, seed);
    Npy.Dtype dtype = half ? Npy.Dtype.F2 : Npy.Dtype.F4;
    Path dir = TestDatasets.tempDir();
    Path f = dir.resolve("rt.npy");
    Npy.write(f, Embeddings.of(data, rows, dim), dtype);
    float[] want = half ? roundedToHalf(data) : data;

    Npy.Header h = Npy.header(f);
    assertEquals(dtype, h.dtype());
    assertEquals(0, h.dataOffset() % 64, "data aligned to 64 bytes");
    Embeddings mapped = Npy.map(f);
    assertEquals(rows, mapped.rows());
    assertEquals(dim, mapped.dim());
    assertArrayEquals(want, mapped.toArray());
    try (InputStream in = Files.newInputStream(f)) {
      assertArrayEquals(want, Npy.read(in, "x.npy").toArray());
    }
    if (rows > 0 && dim > 0) assertEquals(want[rows * dim - 1], mapped.get(rows - 1, dim - 1));
    TestDatasets.deleteTree(dir);
  }

  /** Rows never straddle two mapped chunks, whatever the chunk size. */
  @Property(tries = 30)
  void mappedChunksAgreeWithHeap(@ForAll @IntRange(min = 1, max = 50) int rows,
      @ForAll @IntRange(min = 1, max = 9) int dim, @ForAll @IntRange(min = 1, max = 7) int rowsPerChunk,
      @ForAll boolean half) throws IOException {
    float[] data = randomValues(rows * dim, rows * 31L + dim);
    Npy.Dtype dtype = half ? Npy.Dtype.F2 : Npy.Dtype.F4;
    Path dir = TestDatasets.tempDir();
    Path f = dir.resolve("chunks.npy");
    Npy.write(f, Embeddings.of(data, rows, dim), dtype);
    Embeddings m = new MappedEmbeddings(f, Npy.header(f), (long) rowsPerChunk * dim * dtype.bytes());
    float[] want = half ? roundedToHalf(data) : data;
    float[] row = new float[dim + 2];
    for (int i = 0; i < rows; i++) {
      m.row(i, row, 1);
      assertArrayEquals(Arrays.copyOfRange(want, i * dim, (i + 1) * dim), Arrays.copyOfRange(row, 1, dim + 1));
      for (int j = 0; j < dim; j++) assertEquals(want[i * dim + j], m.get(i, j));
    }
    TestDatasets.deleteTree(dir);
  }

  /** A file with a hand-made header of any version. */
  static byte[] npy(int major, String dict, byte[] data) {
    int lenBytes = major == 1 ? 2 : 4;
    String header = dict + " ".repeat(64 - (8 + lenBytes + dict.length() + 1) % 64) + "\n";
    ByteBuffer bb = ByteBuffer.allocate(8 + lenBytes + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
    bb.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
    if (lenBytes == 2) bb.putShort((short) header.length());
    else bb.putInt(header.length());
    bb.put(header.getBytes(StandardCharsets.UTF_8)).put(data);
    return bb.array();
  }

  static byte[] f32(float... v) {
    ByteBuffer bb = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float x : v) bb.putFloat(x);
    return bb.array();
  }

  @Test
  void readsVersions2And3() throws IOException {
    for (int major : new int[] {2, 3}) {
      Path f = tmp.resolve("v" + major + ".npy");
      Files.write(f, npy(major, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", f32(1, 2, 3, 4)));
      assertEquals(major, Npy.header(f).major());
      assertArrayEquals(new float[] {1, 2, 3, 4}, Npy.map(f).toArray());
    }
  }

  private String error(String dict, byte[] data) throws IOException {
    Path f = tmp.resolve("bad.npy");
    Files.write(f, npy(1, dict, data));
    DatasetException e = assertThrows(DatasetException.class, () -> Npy.map(f));
    assertTrue(e.getMessage().startsWith(f.toString() + ": "), e.getMessage());
    DatasetException s = assertThrows(DatasetException.class,
        () -> Npy.read(new ByteArrayInputStream(Files.readAllBytes(f)), "bad.npy"));
    assertTrue(s.getMessage().startsWith("bad.npy: "), s.getMessage());
    return e.getMessage();
  }

  @Test
  void rejectsFortranOrder() throws IOException {
    assertTrue(error("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", f32(1, 2, 3, 4))
        .contains("Fortran"));
  }

  @Test
  void rejectsOtherDtypes() throws IOException {
    assertTrue(error("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }", new byte[8])
        .contains("unsupported dtype '<f8'"));
    assertTrue(error("{'descr': '<i4', 'fortran_order': False, 'shape': (1, 1), }", new byte[4])
        .contains("unsupported dtype '<i4'"));
  }

  @Test
  void rejectsBigEndian() throws IOException {
    assertTrue(error("{'descr': '>f4', 'fortran_order': False, 'shape': (1, 1), }", new byte[4])
        .contains("big-endian"));
  }

  @Test
  void rejectsTruncatedAndTrailingData() throws IOException {
    assertTrue(error("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", f32(1, 2, 3))
        .contains("truncated"));
    assertTrue(error("{'descr': '<f2', 'fortran_order': False, 'shape': (2, 2), }", new byte[9])
        .contains("trailing bytes"));
  }

  @Test
  void rejectsShapesThatAreNotMatrices() throws IOException {
    assertTrue(error("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", f32(1, 2, 3, 4))
        .contains("not [N, D]"));
    assertTrue(error("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 2), }", f32(1, 2, 3, 4))
        .contains("not [N, D]"));
  }

  @Test
  void rejectsBadMagicAndVersion() throws IOException {
    Path f = tmp.resolve("x.npy");
    Files.write(f, "not numpy at all".getBytes(StandardCharsets.US_ASCII));
    assertTrue(assertThrows(DatasetException.class, () -> Npy.map(f)).getMessage().contains("bad magic"));
    byte[] v9 = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), }", f32(1));
    v9[6] = 9;
    Files.write(f, v9);
    assertTrue(assertThrows(DatasetException.class, () -> Npy.map(f)).getMessage().contains("version 9.0"));
    Files.write(f, Arrays.copyOf(v9, 5));
    assertTrue(assertThrows(DatasetException.class, () -> Npy.map(f)).getMessage().contains("truncated"));
  }

  @Test
  void writesWhatNumpyWrites() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Npy.write(out, Embeddings.of(new float[] {1.5f, -2f}, 1, 2), Npy.Dtype.F4);
    byte[] b = out.toByteArray();
    String header = new String(b, 10, 118, StandardCharsets.ISO_8859_1);
    // numpy 1.x/2.x: np.save(f, np.array([[1.5, -2]], dtype='<f4')) writes exactly this 128-byte preamble
    assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }" + " ".repeat(58) + "\n", header);
    assertEquals(128 + 8, b.length);
    assertEquals(118, (b[8] & 0xff) | (b[9] & 0xff) << 8);
  }
}
