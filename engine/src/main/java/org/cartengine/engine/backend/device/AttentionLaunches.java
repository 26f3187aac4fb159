package org.cartengine.engine.backend.device;

import static org.cartengine.engine.backend.device.DeviceBackend.k;
import static org.cartengine.engine.backend.device.LaunchGeometry.ATTENTION_DELTA_ROWS;
import static org.cartengine.engine.backend.device.LaunchGeometry.ATTENTION_D_CHUNK;
import static org.cartengine.engine.backend.device.LaunchGeometry.BLOCK_THREADS;
import static org.cartengine.engine.backend.device.LaunchGeometry.attentionRows;
import static org.cartengine.engine.backend.device.LaunchGeometry.tiles;

import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Buffer;

/**
 * The launches of kernels/src/main/kernels/attention.cu: fused scaled dot-product attention, forward and backward.
 */
final class AttentionLaunches {
  /** The kernel family, compiled from kernels/src/main/kernels/attention.cu. */
  private static final String FAMILY = "attention";

  private final DeviceBackend dev;

  AttentionLaunches(DeviceBackend dev) {
    this.dev = dev;
  }

  void attention(Buffer q, Buffer k, Buffer v, Buffer keyPadding, Buffer out, Buffer lse,
      int batch, int heads, int tq, int tk, int d, double scale, boolean causal) {
    DType dt = dev.floatType(q, "attention");
    for (Buffer b : new Buffer[] {k, v, keyPadding, out, lse}) dev.own(b, "attention");
    if (batch <= 0 || heads <= 0 || tq <= 0 || d <= 0) return;
    dev.launch(FAMILY, k("attention_fwd", dt), dt, attentionBlocks(batch, heads, tq, d, dt), BLOCK_THREADS,
        q, k, v, keyPadding, out, lse, batch, heads, tq, tk, d, scale, causal ? 1 : 0);
  }

  void attentionBackward(Buffer q, Buffer k, Buffer v, Buffer keyPadding, Buffer out, Buffer lse, Buffer dout,
      Buffer dq, Buffer dk, Buffer dv, int batch, int heads, int tq, int tk, int d, double scale, boolean causal) {
    DType dt = dev.floatType(q, "attentionBackward");
    for (Buffer b : new Buffer[] {k, v, keyPadding, out, lse, dout, dq, dk, dv}) dev.own(b, "attentionBackward");
    if (batch <= 0 || heads <= 0 || d <= 0) return;
    int rows = batch * heads * tq;
    try (Buffer delta = dev.newBuffer(dt, Math.max(1, rows))) {
      if (rows > 0) {
        dev.launch(FAMILY, k("attention_bwd_delta", dt), dt, (int) Math.min(tiles(rows, ATTENTION_DELTA_ROWS), 64L * dev.maxBlocks()), BLOCK_THREADS, out, dout, delta, rows, d);
        dev.launch(FAMILY, k("attention_bwd_dq", dt), dt, attentionBlocks(batch, heads, tq, d, dt), BLOCK_THREADS,
            q, k, v, keyPadding, lse, delta, dout, dq, batch, heads, tq, tk, d, scale, causal ? 1 : 0);
      }
      if (tk > 0) {
        dev.launch(FAMILY, k("attention_bwd_dkdv", dt), dt, attentionBlocks(batch, heads, tk, d, dt), BLOCK_THREADS,
            q, k, v, keyPadding, lse, delta, dout, dk, dv, batch, heads, tq, tk, d, scale, causal ? 1 : 0);
      }
    }
  }

  private int attentionBlocks(int batch, int heads, int t, int d, DType dt) {
    long blocks = (long) batch * heads * tiles(t, attentionRows(dt)) * tiles(d, ATTENTION_D_CHUNK);
    return (int) Math.min(blocks, 64L * dev.maxBlocks());
  }
}
