package org.cartengine.cart.enhance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.cartengine.cart.data.Caption;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.data.Embeddings;
import org.cartengine.cart.data.Split;
import org.cartengine.engine.backend.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Neighbour transfer takes an item's neighbours in the space it is given, not in the item embeddings. */
class EnhanceNeighbourSpaceTest {
  @Test
  void neighboursComeFromTheGivenSpace(@TempDir Path dir) {
    // Items 0 and 1 look alike; items 0 and 2 are described alike.
    float[] look = {1, 0, 0.99f, 0.1f, 0, 1};
    float[] described = {1, 0, 0, 1, 0.99f, 0.1f};
    List<Caption> captions = List.of(new Caption(0, null, "red apple", Split.TRAIN), new Caption(1, null, "happy dog", Split.TRAIN),
        new Caption(2, null, "ripe fruit", Split.TRAIN));
    Dataset ds = Synthetic.write(dir.resolve("d"), look, 3, 2, captions);
    EnhanceConfig cfg = new EnhanceConfig(1, 1, 0, true, false, false, EnhanceConfig.DEFAULT_MAX_EXACT_ITEMS);
    assertEquals("happy dog", transferredTo(0, CaptionEnhancer.enhance(ds, cfg, new ReferenceBackend())));
    assertEquals("ripe fruit", transferredTo(0, CaptionEnhancer.enhance(ds, cfg, new ReferenceBackend(), Embeddings.of(described, 3, 2))));
  }

  /** train's default: only the items without a train caption get pseudo-queries, from their captioned look-alikes. */
  @Test
  void uncaptionedOnlyLeavesCaptionedItemsAlone(@TempDir Path dir) {
    float[] look = {1, 0, 0.99f, 0.1f, 0, 1, 0.1f, 0.99f};
    List<Caption> captions = List.of(new Caption(0, null, "red apple", Split.TRAIN), new Caption(2, null, "blue sky", Split.TRAIN));
    Dataset ds = Synthetic.write(dir.resolve("d"), look, 4, 2, captions);
    Enhanced e = CaptionEnhancer.enhance(ds, EnhanceConfig.UNCAPTIONED.withNeighbours(1).withPerItem(1), new ReferenceBackend());
    assertEquals(2, e.added());
    assertEquals("red apple", transferredTo(1, e));
    assertEquals("blue sky", transferredTo(3, e));
    assertEquals("none", transferredTo(0, e));
    assertEquals("none", transferredTo(2, e));
    // Enhancing every item gives the captioned ones their neighbours' texts too.
    Enhanced all = CaptionEnhancer.enhance(ds, EnhanceConfig.UNCAPTIONED.withNeighbours(1).withPerItem(1).withUncaptionedOnly(false), new ReferenceBackend());
    assertEquals("blue sky", transferredTo(0, all));
  }

  static String transferredTo(int item, Enhanced e) {
    return e.dataset().captions(Split.TRAIN).stream().filter(c -> c.item() == item && CaptionEnhancer.TRANSFER.equals(c.source())).map(Caption::text)
        .findFirst().orElse("none");
  }
}
