package org.cartengine.cart.text;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Query text to token ids for the retriever's encoder (PAD = 0): the run's own BPE vocabulary learned from the train
 * captions ({@link BpeTokenizer}), or the pretrained encoder's WordPiece vocabulary ({@link WordPieceTokenizer}) when the
 * retriever reads pretrained features. A run directory's tokenizer.json says which.
 */
public interface QueryTokenizer {
  int[] encode(String text);

  int vocabSize();

  void save(Path file) throws IOException;

  /** The tokenizer saved in {@code file} by {@link #save}. */
  static QueryTokenizer load(Path file) throws IOException {
    // Sealed like every file a run keeps: the checksum is checked before the content is trusted.
    JsonObject o = org.cartengine.engine.io.SealedJson.read(file);
    if (o.has("type") && WordPieceTokenizer.TYPE.equals(o.get("type").getAsString())) return WordPieceTokenizer.loadReference(file, o);
    try {
      return BpeTokenizer.fromJson(o);
    } catch (RuntimeException e) {
      throw new IOException(file + ": not a tokenizer file: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), e);
    }
  }
}
