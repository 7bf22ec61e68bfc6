package org.xenoservice.benchmarks;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/** Words made of syllables, drawn with Zipf frequencies (a few very common, a long tail). */
final class Vocabulary {
    private static final String[] COMMON = {
        "the", "of", "and", "to", "a", "in", "is", "that", "for", "it", "as", "with", "on", "be", "by", "this", "are",
        "or", "from", "at", "an", "not", "which", "you", "we", "can", "all", "have", "more", "will", "one", "site",
        "page", "new", "our", "your", "data"
    };
    private static final String[] SYLLABLES = {
        "ka", "ren", "to", "mi", "sel", "dor", "an", "ve", "lo", "tri", "es", "ul", "ing", "er", "ion", "pro", "con",
        "de", "re", "ta", "bal", "mor", "sti", "qua", "vin", "pel", "cor", "nu", "ga", "lis", "tem", "fra", "os", "ith",
        "ber", "cla", "mun", "sa", "ti", "ex", "com", "par", "ment", "al", "ly", "ous", "ble", "ture", "gra", "phy",
        "sys", "net", "work", "form"
    };
    private static final int TABLE_BITS = 18;

    private final String[] words;
    private final int[] table = new int[1 << TABLE_BITS];

    Vocabulary(SplittableRandom r, int size) {
        Set<String> seen = new HashSet<>();
        List<String> list = new ArrayList<>();
        for (String w : COMMON) {
            seen.add(w);
            list.add(w);
        }
        while (list.size() < size) {
            StringBuilder w = new StringBuilder();
            for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) {
                w.append(SYLLABLES[r.nextInt(SYLLABLES.length)]);
            }
            if (seen.add(w.toString())) {
                list.add(w.toString());
            }
        }
        words = list.toArray(new String[0]);
        double[] cumulative = new double[size];
        double sum = 0;
        for (int i = 0; i < size; i++) {
            sum += 1.0 / Math.pow(i + 1, 1.05);
            cumulative[i] = sum;
        }
        int word = 0;
        for (int slot = 0; slot < table.length; slot++) {
            double u = (slot + 0.5) / table.length * sum;
            while (cumulative[word] < u) {
                word++;
            }
            table[slot] = word;
        }
    }

    String word(SplittableRandom r) {
        return words[table[r.nextInt(table.length)]];
    }

    String rank(int i) {
        return words[i % words.length];
    }

    String sentenceWords(SplittableRandom r, int count) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            sb.append(i == 0 ? "" : " ").append(word(r));
        }
        return sb.toString();
    }

    String sentence(SplittableRandom r) {
        StringBuilder sb = new StringBuilder(TreeContent.capitalize(word(r)));
        for (int i = 0, n = 5 + r.nextInt(18); i < n; i++) {
            sb.append(r.nextInt(12) == 0 ? ", " : " ").append(word(r));
        }
        return sb.append(r.nextInt(10) == 0 ? '?' : '.').toString();
    }
}
