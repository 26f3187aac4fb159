package org.cartengine.cart.enhance;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Word-level helpers shared by the caption-enhancement methods: normalisation, tokens with their spans, stop words. */
final class Texts {
  private Texts() {}

  private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");
  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");

  /**
   * The form two texts are compared in: lower case, every run of characters that are neither letters nor digits
   * collapsed to one space, trimmed ("Dog-face!" and "dog face" are the same text). Same rule as the emoji
   * dataset's deduplication (cart/prep/emoji/prepare.js, normText).
   */
  static String normalise(String s) {
    return NON_WORD.matcher(s.toLowerCase(Locale.ROOT)).replaceAll(" ").trim();
  }

  /** A word of a text and where it is: {@code text.substring(start, end)}, and its lower-case form. */
  record Token(String word, int start, int end) {}

  /** The runs of letters and digits of {@code s}, in order, lower-cased. */
  static List<Token> tokens(String s) {
    List<Token> out = new ArrayList<>();
    Matcher m = WORD.matcher(s);
    while (m.find()) out.add(new Token(m.group().toLowerCase(Locale.ROOT), m.start(), m.end()));
    return out;
  }

  /** A word worth recombining or rewriting: two characters or more, not a stop word. */
  static boolean isContent(String word) {
    return word.length() >= 2 && !STOP.contains(word);
  }

  /** Only letters (no digits): the words that are looked up in WordNet. */
  static boolean isAlphabetic(String word) {
    return word.codePoints().allMatch(Character::isLetter);
  }

  /** Function words: never recombined, never replaced, never a replacement ("a" is a WordNet noun, "in" an adjective). */
  static final Set<String> STOP = Set.of(
      "a", "an", "the", "and", "or", "nor", "but", "if", "then", "so", "as", "than", "that", "this", "these", "those",
      "of", "in", "on", "at", "to", "for", "from", "by", "with", "into", "onto", "over", "under", "up", "down", "out",
      "off", "about", "above", "below", "between", "through", "during", "before", "after", "against", "among", "per",
      "via", "is", "are", "was", "were", "be", "been", "being", "am", "has", "have", "had", "having", "do", "does",
      "did", "doing", "will", "would", "shall", "should", "can", "could", "may", "might", "must", "it", "its", "he",
      "him", "his", "she", "her", "hers", "they", "them", "their", "we", "us", "our", "you", "your", "i", "me", "my",
      "who", "whom", "whose", "which", "what", "where", "when", "why", "how", "there", "here", "some", "any", "each",
      "all", "both", "no", "not", "very", "too", "also", "just", "only", "s", "t");
}
