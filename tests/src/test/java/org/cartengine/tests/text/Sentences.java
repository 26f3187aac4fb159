package org.cartengine.tests.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Deterministic test texts for the sentence encoder: varied shapes and scripts, and short captions. */
final class Sentences {
  private Sentences() {}

  private static final String[] WORDS = ("a dog cat runs across the green field while two children play with a red ball near "
      + "old wooden bridge under bright blue sky man woman riding bicycle city street at night rain umbrella music "
      + "concert guitar crowd cheering beach waves sunset mountain snow skiing kitchen cooking pasta tomato sauce").split(" ");
  private static final String[] ODD = {"Café", "déjà-vu", "naïve", "ÅNGSTRÖM", "résumé", "Zürich", "São Paulo", "😀", "🎸🔥",
      "❤️", "北京", "東京タワー", "Ελληνικά", "Привет", "3.14159", "$1,000", "42%", "e-mail", "don't", "(parenthesised)", "#hashtag",
      "@user", "...", "?!", "C++", "x².", "\u00a0", "tab\there", "new\nline", "ＦＵＬＬ"};

  /** n texts: tags, sentences of growing length, odd tokens, and a few of more than 256 tokens. */
  static List<String> varied(int n, long seed) {
    Random r = new Random(seed);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int kind = i % 10;
      int len = kind < 3 ? 1 + r.nextInt(3) : kind < 8 ? 5 + r.nextInt(30) : 40 + r.nextInt(80);
      if (i == 17 || i == 101) len = 400; // past max_seq_length 256: truncated
      StringBuilder b = new StringBuilder();
      for (int w = 0; w < len; w++) {
        if (w > 0) b.append(r.nextInt(12) == 0 ? ", " : " ");
        b.append(r.nextInt(4) == 0 ? ODD[r.nextInt(ODD.length)] : WORDS[r.nextInt(WORDS.length)]);
      }
      if (r.nextBoolean()) b.append(r.nextBoolean() ? "." : "!");
      String s = b.toString();
      out.add(kind == 1 ? s.toUpperCase() : s);
    }
    return out;
  }

  /** Short captions of about six words (about 8 tokens with [CLS] and [SEP]). */
  static List<String> captions(int n, long seed) {
    Random r = new Random(seed);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StringBuilder b = new StringBuilder();
      int len = 5 + r.nextInt(3);
      for (int w = 0; w < len; w++) b.append(w > 0 ? " " : "").append(WORDS[r.nextInt(WORDS.length)]);
      out.add(b.toString());
    }
    return out;
  }
}
