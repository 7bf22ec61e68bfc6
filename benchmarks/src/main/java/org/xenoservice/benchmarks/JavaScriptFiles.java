package org.xenoservice.benchmarks;

import java.io.IOException;
import java.util.SplittableRandom;

/**
 * Writes {@link MixedTree}'s JavaScript: minified bundles, readable ES modules and their source
 * maps, and the statements they (and the HTML pages' code samples) are made of. It exists to keep
 * the JavaScript syntax in one place, apart from the tree's mix.
 */
final class JavaScriptFiles {
    /** How statements are laid out: readable (indented, spaced, one per line) or minified. */
    private record Layout(boolean minified, String indent, String space, String newline) {
        static final Layout MINIFIED = new Layout(true, "", "", "");

        static Layout readable(String indent) {
            return new Layout(false, indent, " ", "\n");
        }

        /** The indent of a block's body: one level deeper when readable. */
        String innerIndent() {
            return minified ? "" : "  ";
        }
    }

    private final TreeWords words;
    private final TreeFiles files;

    JavaScriptFiles(TreeWords words, TreeFiles files) {
        this.words = words;
        this.files = files;
    }

    /** A minified bundle of functions, on one line after its licence comment; duplicates may copy it. */
    long minifiedBundle(String path, long target, SplittableRandom r) throws IOException {
        StringBuilder sb = new StringBuilder((int) target + 1024);
        sb.append("/*! ").append(path).append(" | MIT License */\n");
        while (sb.length() < target) {
            sb.append("function ")
                    .append(TreeContent.shortName(r))
                    .append('(')
                    .append(TreeContent.shortName(r))
                    .append(',')
                    .append(TreeContent.shortName(r))
                    .append("){");
            for (int i = 0, n = 2 + r.nextInt(6); i < n; i++) {
                statement(sb, r, null);
            }
            sb.append("}");
        }
        files.markCopyable(path);
        return files.write(path, sb);
    }

    /** A module under {@code assets/js/modules/}, a quarter of them with a source map twice its size. */
    long moduleWithMap(long target, SplittableRandom r) throws IOException {
        String name = "assets/js/modules/" + words.slug(r);
        long size = module(name + ".js", target, r);
        if (r.nextInt(4) == 0) {
            size += sourceMap(name + ".js.map", target * 2, r);
        }
        return size;
    }

    /** A readable ES module of documented, exported functions; duplicates may copy it. */
    long module(String path, long target, SplittableRandom r) throws IOException {
        StringBuilder sb = new StringBuilder((int) target + 1024);
        sb.append("// ")
                .append(words.sentence(r))
                .append("\nimport { ")
                .append(words.camel(r))
                .append(" } from './")
                .append(words.slug(r))
                .append(".js';\n\n");
        while (sb.length() < target) {
            sb.append("/**\n * ")
                    .append(words.sentence(r))
                    .append("\n */\nexport function ")
                    .append(words.camel(r))
                    .append('(')
                    .append(words.camel(r))
                    .append(", ")
                    .append(words.camel(r))
                    .append(") {\n");
            for (int i = 0, n = 2 + r.nextInt(8); i < n; i++) {
                statement(sb, r, "  ");
            }
            sb.append("}\n\n");
        }
        files.markCopyable(path);
        return files.write(path, sb);
    }

    /** A version 3 source map: webpack sources, names, and mappings of base64 VLQ-like characters. */
    long sourceMap(String path, long target, SplittableRandom r) throws IOException {
        StringBuilder sb = new StringBuilder((int) target + 1024);
        sb.append("{\"version\":3,\"file\":\"")
                .append(path, path.lastIndexOf('/') + 1, path.length() - 4)
                .append("\",\"sources\":[");
        for (int i = 0, n = 3 + r.nextInt(20); i < n; i++) {
            sb.append(i == 0 ? "" : ",")
                    .append("\"webpack:///./src/")
                    .append(words.slug(r))
                    .append(".js\"");
        }
        sb.append("],\"names\":[");
        for (int i = 0, n = 20 + r.nextInt(200); i < n; i++) {
            sb.append(i == 0 ? "" : ",").append('"').append(words.camel(r)).append('"');
        }
        sb.append("],\"mappings\":\"");
        String small = "ACEGIKMOQSUWYacegikmoqsuwy";
        String any = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        while (sb.length() < target) {
            for (int i = 0, n = 4 + r.nextInt(2); i < n; i++) {
                sb.append(
                        r.nextInt(4) == 0
                                ? any.charAt(r.nextInt(any.length()))
                                : small.charAt(r.nextInt(small.length())));
            }
            sb.append(r.nextInt(12) == 0 ? ';' : ',');
        }
        sb.append("A\"}\n");
        return files.write(path, sb);
    }

    /** One statement; {@code indent} null means minified. */
    void statement(StringBuilder sb, SplittableRandom r, String indent) {
        boolean min = indent == null;
        Layout layout = min ? Layout.MINIFIED : Layout.readable(indent);
        String a = min ? TreeContent.shortName(r) : words.camel(r);
        String b = min ? TreeContent.shortName(r) : words.camel(r);
        switch (r.nextInt(6)) {
            case 0 -> constantFromCall(sb, r, layout, a, b);
            case 1 -> lengthCheck(sb, r, layout, a, b);
            case 2 -> handlerAssignment(sb, r, layout, a, b);
            case 3 -> copyLoop(sb, layout, a, b);
            case 4 -> eventListener(sb, r, layout, b);
            default -> objectReturn(sb, r, layout, a);
        }
    }

    /** {@code const a = b.method("words");} */
    private void constantFromCall(StringBuilder sb, SplittableRandom r, Layout layout, String a, String b) {
        String sp = layout.space();
        sb.append(layout.indent())
                .append("const ")
                .append(a)
                .append(sp)
                .append('=')
                .append(sp)
                .append(b)
                .append('.')
                .append(words.camel(r))
                .append('(')
                .append('"')
                .append(words.sentenceWords(r, 1 + r.nextInt(4)))
                .append("\");")
                .append(layout.newline());
    }

    /** {@code if (a.length > n) { return b(a, m); }} */
    private void lengthCheck(StringBuilder sb, SplittableRandom r, Layout layout, String a, String b) {
        String sp = layout.space();
        String nl = layout.newline();
        sb.append(layout.indent())
                .append("if")
                .append(sp)
                .append('(')
                .append(a)
                .append(".length")
                .append(sp)
                .append('>')
                .append(sp)
                .append(r.nextInt(100))
                .append(')')
                .append(sp)
                .append("{")
                .append(nl)
                .append(layout.indent())
                .append(layout.innerIndent())
                .append("return ")
                .append(b)
                .append('(')
                .append(a)
                .append(',')
                .append(sp)
                .append(r.nextInt(1000))
                .append(");")
                .append(nl)
                .append(layout.indent())
                .append('}')
                .append(nl);
    }

    /** {@code a.handler = function (e) { return e.flag && b(e); };} */
    private void handlerAssignment(StringBuilder sb, SplittableRandom r, Layout layout, String a, String b) {
        String sp = layout.space();
        sb.append(layout.indent())
                .append(a)
                .append('.')
                .append(words.camel(r))
                .append(sp)
                .append('=')
                .append(sp)
                .append("function")
                .append(sp)
                .append("(e)")
                .append(sp)
                .append("{")
                .append(sp)
                .append("return e.")
                .append(words.camel(r))
                .append(sp)
                .append("&&")
                .append(sp)
                .append(b)
                .append("(e);")
                .append(sp)
                .append("};")
                .append(layout.newline());
    }

    /** {@code for (let i = 0; i < a.length; i++) { b.push(a[i]); }} */
    private static void copyLoop(StringBuilder sb, Layout layout, String a, String b) {
        String sp = layout.space();
        sb.append(layout.indent())
                .append("for")
                .append(sp)
                .append("(let i")
                .append(sp)
                .append('=')
                .append(sp)
                .append("0;")
                .append(sp)
                .append("i")
                .append(sp)
                .append('<')
                .append(sp)
                .append(a)
                .append(".length;")
                .append(sp)
                .append("i++)")
                .append(sp)
                .append("{")
                .append(sp)
                .append(b)
                .append(".push(")
                .append(a)
                .append("[i]);")
                .append(sp)
                .append('}')
                .append(layout.newline());
    }

    /** {@code document.querySelector(".slug").addEventListener("click", b);} */
    private void eventListener(StringBuilder sb, SplittableRandom r, Layout layout, String b) {
        sb.append(layout.indent())
                .append("document.querySelector(\".")
                .append(words.slug(r))
                .append("\").addEventListener(\"")
                .append(r.nextBoolean() ? "click" : "change")
                .append("\",")
                .append(layout.space())
                .append(b)
                .append(");")
                .append(layout.newline());
    }

    /** {@code return { key: a, other: n };} */
    private void objectReturn(StringBuilder sb, SplittableRandom r, Layout layout, String a) {
        String sp = layout.space();
        sb.append(layout.indent())
                .append("return {")
                .append(sp)
                .append(words.camel(r))
                .append(':')
                .append(sp)
                .append(a)
                .append(',')
                .append(sp)
                .append(words.camel(r))
                .append(':')
                .append(sp)
                .append(r.nextInt(10_000))
                .append(sp)
                .append("};")
                .append(layout.newline());
    }
}
