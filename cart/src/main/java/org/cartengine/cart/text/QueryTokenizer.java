package org.cartengine.cart.text;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
    JsonObject o;
    try {
      o = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (RuntimeException e) {
      throw new IOException(file + ": not a tokenizer file: " + e.getMessage(), e);
    }
    if (o.has("type") && WordPieceTokenizer.TYPE.equals(o.get("type").getAsString())) return WordPieceTokenizer.loadReference(file, o);
    return BpeTokenizer.load(file);
  }
}
