package org.xenoservice.benchmarks;

import java.util.SplittableRandom;

/**
 * The words {@link MixedTree}'s text files are written in and the names its paths and identifiers
 * are made of (slugs, section folders, camelCase names), all drawn from one {@link Vocabulary}.
 * It exists so that every file generator names things the same way.
 */
final class TreeWords {
    private final Vocabulary vocabulary;

    TreeWords(Vocabulary vocabulary) {
        this.vocabulary = vocabulary;
    }

    String word(SplittableRandom r) {
        return vocabulary.word(r);
    }

    String sentence(SplittableRandom r) {
        return vocabulary.sentence(r);
    }

    String sentenceWords(SplittableRandom r, int count) {
        return vocabulary.sentenceWords(r, count);
    }

    /** A file name: two words and a base-36 number, {@code word-word-1a2b}. */
    String slug(SplittableRandom r) {
        return word(r) + "-" + word(r) + "-" + Integer.toString(r.nextInt(1 << 20), 36);
    }

    /** One of {@code count} section (folder) names, fixed for the vocabulary. */
    String section(SplittableRandom r, int count) {
        return vocabulary.rank(r.nextInt(count) + 40);
    }

    /** A camelCase identifier of two words. */
    String camel(SplittableRandom r) {
        return word(r) + TreeContent.capitalize(word(r));
    }
}
