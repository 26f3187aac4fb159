package org.cartengine.cart.data;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Embeddings read in place from a memory-mapped .npy file. A MappedByteBuffer holds at most 2 GB, so the data is
 * mapped as several chunks of whole rows (at most {@link #CHUNK_BYTES} each); a row never straddles two chunks. The
 * mapping stays valid after the channel is closed and is released when this object is garbage collected.
 */
final class MappedEmbeddings implements Embeddings {
  static final long CHUNK_BYTES = 1L << 30;

  private final int rows;
  private final int dim;
  private final int rowsPerChunk;
  private final FloatBuffer[] f32; // one of f32 / f16 is null
  private final ShortBuffer[] f16;

  MappedEmbeddings(Path file, Npy.Header h) throws IOException {
    this(file, h, CHUNK_BYTES);
  }

  MappedEmbeddings(Path file, Npy.Header h, long chunkBytes) throws IOException {
    this.rows = h.rows();
    this.dim = h.dim();
    long rowBytes = (long) dim * h.dtype().bytes();
    if (rowBytes > chunkBytes) throw DatasetException.at(file.toString(), "a row of " + dim + " values is too long");
    this.rowsPerChunk = rowBytes == 0 ? Math.max(rows, 1) : (int) Math.min(Integer.MAX_VALUE, chunkBytes / rowBytes);
    int chunks = rows == 0 ? 0 : (int) ((rows + (long) rowsPerChunk - 1) / rowsPerChunk);
    boolean half = h.dtype() == Npy.Dtype.F2;
    f32 = half ? null : new FloatBuffer[chunks];
    f16 = half ? new ShortBuffer[chunks] : null;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      for (int c = 0; c < chunks; c++) {
        long first = (long) c * rowsPerChunk;
        long n = Math.min(rowsPerChunk, rows - first);
        MappedByteBuffer mb = ch.map(FileChannel.MapMode.READ_ONLY, h.dataOffset() + first * rowBytes, n * rowBytes);
        mb.order(ByteOrder.LITTLE_ENDIAN);
        if (half) f16[c] = mb.asShortBuffer();
        else f32[c] = mb.asFloatBuffer();
      }
    }
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int dim() {
    return dim;
  }

  @Override
  public void row(int i, float[] dst, int dstOff) {
    checkRow(i);
    int c = i / rowsPerChunk;
    int off = (i - c * rowsPerChunk) * dim;
    if (f32 != null) {
      f32[c].get(off, dst, dstOff, dim); // absolute bulk get: no shared position, safe for concurrent readers
    } else {
      ShortBuffer b = f16[c];
      for (int j = 0; j < dim; j++) dst[dstOff + j] = Float16.toFloat(b.get(off + j));
    }
  }

  @Override
  public float get(int i, int j) {
    checkRow(i);
    if (j < 0 || j >= dim) throw new IndexOutOfBoundsException("column " + j + " of " + dim);
    int c = i / rowsPerChunk;
    int off = (i - c * rowsPerChunk) * dim + j;
    return f32 != null ? f32[c].get(off) : Float16.toFloat(f16[c].get(off));
  }

  private void checkRow(int i) {
    if (i < 0 || i >= rows) throw new IndexOutOfBoundsException("row " + i + " of " + rows);
  }
}
