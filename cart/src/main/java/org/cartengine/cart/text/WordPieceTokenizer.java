package org.cartengine.cart.text;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * BERT's tokenizer, read from a Hugging Face tokenizer.json (model type WordPiece, BertNormalizer, BertPreTokenizer):
 * <ol>
 *   <li>normalisation: drop NUL, U+FFFD and control/format characters, turn every whitespace into a space, put spaces
 *       around CJK ideographs (each becomes a word), lower-case and strip accents (NFD, then drop non-spacing marks);
 *   <li>pre-tokenisation: split on whitespace, and each punctuation character (ASCII punctuation or a Unicode P*
 *       category) is a word of its own;
 *   <li>WordPiece: greedy longest-match-first from the vocabulary, continuation pieces prefixed {@code ##}; a word of
 *       more than 100 characters, or one with a part no piece matches, is a single [UNK].
 * </ol>
 * Output is {@code [CLS] pieces [SEP]} truncated to {@link #maxLength} tokens in all: 256 by default, the
 * max_seq_length sentence-transformers runs all-MiniLM-L6-v2 with (its tokenizer.json says 128; the model was
 * trained on 128 but has 512 positions).
 */
public final class WordPieceTokenizer implements QueryTokenizer {
  public static final int DEFAULT_MAX_LENGTH = 256;

  private final Map<String, Integer> vocab;
  private final String[] pieces;
  private final String prefix;
  private final int maxWordChars;
  private final boolean lowercase;
  private final boolean stripAccents;
  private final int unk;
  private final int cls;
  private final int sep;
  public final int pad;
  public final int maxLength;

  private WordPieceTokenizer(Map<String, Integer> vocab, String prefix, int maxWordChars, boolean lowercase, boolean stripAccents, String unk, int maxLength) {
    this.vocab = vocab;
    this.prefix = prefix;
    this.maxWordChars = maxWordChars;
    this.lowercase = lowercase;
    this.stripAccents = stripAccents;
    this.maxLength = maxLength;
    this.unk = id(unk);
    this.cls = id("[CLS]");
    this.sep = id("[SEP]");
    this.pad = id("[PAD]");
    pieces = new String[vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1];
    vocab.forEach((k, v) -> pieces[v] = k);
  }

  private int id(String token) {
    Integer i = vocab.get(token);
    if (i == null) throw new IllegalArgumentException("WordPiece vocabulary has no " + token);
    return i;
  }

  /** The "type" of the reference a run directory keeps instead of a copy of the vocabulary ({@link #save}). */
  public static final String TYPE = "wordpiece";

  /**
   * Writes a reference to this vocabulary (the pretrained model's tokenizer.json stays with the model files,
   * {@link ModelFiles}), with the maximum length this tokenizer cuts at.
   */
  @Override
  public void save(Path file) throws IOException {
    com.google.gson.JsonObject o = new com.google.gson.JsonObject();
    o.addProperty("type", TYPE);
    o.addProperty("model", ModelFiles.TOKENIZER);
    o.addProperty("max_length", maxLength);
    o.addProperty("vocab_size", vocabSize());
    org.cartengine.engine.io.SealedJson.write(file, o);
  }

  /** The tokenizer a reference written by {@link #save} names, from the located model files. */
  static WordPieceTokenizer loadReference(Path file, com.google.gson.JsonObject o) throws IOException {
    WordPieceTokenizer t = load(ModelFiles.locate().tokenizer(), o.get("max_length").getAsInt());
    if (o.has("vocab_size") && o.get("vocab_size").getAsInt() != t.vocabSize())
      throw new IOException(file + ": names a WordPiece vocabulary of " + o.get("vocab_size") + " tokens, the model files have " + t.vocabSize());
    return t;
  }

  public static WordPieceTokenizer load(Path tokenizerJson) throws IOException {
    return load(tokenizerJson, DEFAULT_MAX_LENGTH);
  }

  public static WordPieceTokenizer load(Path tokenizerJson, int maxLength) throws IOException {
    try (Reader r = Files.newBufferedReader(tokenizerJson, StandardCharsets.UTF_8)) {
      JsonObject root = JsonParser.parseReader(r).getAsJsonObject();
      JsonObject model = root.getAsJsonObject("model");
      if (model == null || !"WordPiece".equals(model.get("type").getAsString()))
        throw new IOException(tokenizerJson + ": not a WordPiece tokenizer.json (model.type is not WordPiece)");
      Map<String, Integer> vocab = new HashMap<>();
      for (Map.Entry<String, JsonElement> e : model.getAsJsonObject("vocab").entrySet()) vocab.put(e.getKey(), e.getValue().getAsInt());
      JsonObject norm = root.has("normalizer") && root.get("normalizer").isJsonObject() ? root.getAsJsonObject("normalizer") : new JsonObject();
      boolean lower = !norm.has("lowercase") || norm.get("lowercase").getAsBoolean();
      // BertNormalizer: strip_accents null means "as lowercase"
      boolean strip = norm.has("strip_accents") && !norm.get("strip_accents").isJsonNull() ? norm.get("strip_accents").getAsBoolean() : lower;
      String prefix = model.has("continuing_subword_prefix") ? model.get("continuing_subword_prefix").getAsString() : "##";
      int maxChars = model.has("max_input_chars_per_word") ? model.get("max_input_chars_per_word").getAsInt() : 100;
      String unk = model.has("unk_token") ? model.get("unk_token").getAsString() : "[UNK]";
      return new WordPieceTokenizer(vocab, prefix, maxChars, lower, strip, unk, maxLength);
    } catch (RuntimeException e) {
      throw new IOException(tokenizerJson + ": unreadable tokenizer.json: " + e.getMessage(), e);
    }
  }

  /** Token ids of one text: [CLS] pieces [SEP], at most {@link #maxLength}. */
  @Override
  public int[] encode(String text) {
    List<Integer> ids = new ArrayList<>();
    ids.add(cls);
    outer:
    for (String word : words(text)) {
      for (int id : wordPiece(word)) {
        if (ids.size() >= maxLength - 1) break outer;
        ids.add(id);
      }
    }
    ids.add(sep);
    return ids.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The piece strings of ids (for tests and debugging). */
  public List<String> tokens(int[] ids) {
    List<String> out = new ArrayList<>();
    for (int id : ids) out.add(pieces[id]);
    return out;
  }

  @Override
  public int vocabSize() {
    return pieces.length;
  }

  /** Normalisation and pre-tokenisation: the words WordPiece splits. */
  List<String> words(String text) {
    String s = normalize(text);
    List<String> words = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      i += Character.charCount(c);
      if (isWhitespace(c)) {
        flush(cur, words);
      } else if (isPunctuation(c)) {
        flush(cur, words);
        words.add(new String(Character.toChars(c)));
      } else cur.appendCodePoint(c);
    }
    flush(cur, words);
    return words;
  }

  private static void flush(StringBuilder cur, List<String> words) {
    if (cur.length() > 0) words.add(cur.toString());
    cur.setLength(0);
  }

  private String normalize(String text) {
    StringBuilder b = new StringBuilder(text.length() + 8);
    text.codePoints().forEach(c -> {
      if (c == 0 || c == 0xFFFD || isControl(c)) return;
      if (isWhitespace(c)) b.append(' ');
      else if (isCjk(c)) b.append(' ').appendCodePoint(c).append(' ');
      else b.appendCodePoint(c);
    });
    String s = b.toString();
    if (stripAccents) {
      StringBuilder o = new StringBuilder(s.length());
      Normalizer.normalize(s, Normalizer.Form.NFD).codePoints().filter(c -> Character.getType(c) != Character.NON_SPACING_MARK).forEach(o::appendCodePoint);
      s = o.toString();
    }
    return lowercase ? s.toLowerCase(Locale.ROOT) : s;
  }

  private List<Integer> wordPiece(String word) {
    int n = word.codePointCount(0, word.length());
    if (n > maxWordChars) return List.of(unk);
    List<Integer> out = new ArrayList<>();
    int start = 0; // char index
    while (start < word.length()) {
      int end = word.length();
      Integer found = null;
      while (end > start) {
        String sub = (start > 0 ? prefix : "") + word.substring(start, end);
        found = vocab.get(sub);
        if (found != null) break;
        end = word.offsetByCodePoints(end, -1);
      }
      if (found == null) return List.of(unk);
      out.add(found);
      start = end;
    }
    return out;
  }

  private static boolean isWhitespace(int c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || Character.getType(c) == Character.SPACE_SEPARATOR || Character.isWhitespace(c);
  }

  private static boolean isControl(int c) {
    if (c == '\t' || c == '\n' || c == '\r') return false;
    int t = Character.getType(c);
    return t == Character.CONTROL || t == Character.FORMAT || t == Character.UNASSIGNED || t == Character.PRIVATE_USE || t == Character.SURROGATE;
  }

  private static boolean isPunctuation(int c) {
    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) return true;
    switch (Character.getType(c)) {
      case Character.CONNECTOR_PUNCTUATION: case Character.DASH_PUNCTUATION: case Character.START_PUNCTUATION:
      case Character.END_PUNCTUATION: case Character.INITIAL_QUOTE_PUNCTUATION: case Character.FINAL_QUOTE_PUNCTUATION:
      case Character.OTHER_PUNCTUATION:
        return true;
      default:
        return false;
    }
  }

  /** The CJK Unified Ideographs blocks BERT treats as words of their own (not Hangul, Hiragana or Katakana). */
  private static boolean isCjk(int c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F)
        || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
  }
}
