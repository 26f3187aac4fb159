package org.cartengine.cart.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * BERT tokenisation of tricky strings. The expected pieces are written by hand from BERT's rules (accents stripped,
 * punctuation and CJK ideographs split off, control characters dropped, greedy longest-match WordPiece); their ids
 * come from the vocabulary in tokenizer.json, read here independently of the tokenizer.
 */
class WordPieceTokenizerTest {
  private static WordPieceTokenizer tok;
  private static JsonObject vocab;

  @BeforeAll
  static void load() throws IOException {
    ModelFiles files = ModelFiles.locate();
    tok = WordPieceTokenizer.load(files.tokenizer());
    vocab = JsonParser.parseString(Files.readString(files.tokenizer())).getAsJsonObject().getAsJsonObject("model").getAsJsonObject("vocab");
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("Hello, world!", "hello , world !"),
        Arguments.of("", ""),
        Arguments.of("  \t\n\u00a0 \u3000 ", ""),
        Arguments.of("Café déjà vu", "cafe de ##ja vu"),
        Arguments.of("naïve RÉSUMÉ", "naive resume"),
        Arguments.of("ÅNGSTRÖM", "ang ##strom"),
        Arguments.of("I ❤️ NY 😀", "i [UNK] ny [UNK]"),
        Arguments.of("hello😀world", "[UNK]"),
        Arguments.of("北京大学", "北 京 大 学"),
        Arguments.of("日本語text", "日 本 語 text"),
        Arguments.of("don't", "don ' t"),
        Arguments.of("$5.00-$10", "$ 5 . 00 - $ 10"),
        Arguments.of("e-mail", "e - mail"),
        Arguments.of("hel\u00adlo a\u0000bc\u200b", "hello abc"),
        Arguments.of("tokenization Straße", "token ##ization st ##raße"),
        Arguments.of("x".repeat(101) + " hello", "[UNK] hello"),
        Arguments.of("ｈｅｌｌｏ", "[UNK]"));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void tokensFollowBertRules(String text, String pieces) {
    List<Integer> want = new ArrayList<>();
    want.add(vocab.get("[CLS]").getAsInt());
    if (!pieces.isEmpty()) for (String p : pieces.split(" ")) want.add(vocab.get(p).getAsInt());
    want.add(vocab.get("[SEP]").getAsInt());
    int[] got = tok.encode(text);
    assertArrayEquals(want.stream().mapToInt(Integer::intValue).toArray(), got, () -> text + " -> " + tok.tokens(got));
  }

  @Test
  void longTextsAreTruncatedTo256WithSep() {
    int[] ids = tok.encode("word ".repeat(400));
    assertEquals(WordPieceTokenizer.DEFAULT_MAX_LENGTH, ids.length);
    assertEquals(vocab.get("[CLS]").getAsInt(), ids[0]);
    assertEquals(vocab.get("[SEP]").getAsInt(), ids[ids.length - 1]);
    assertEquals(vocab.get("word").getAsInt(), ids[ids.length - 2]);
  }
}
