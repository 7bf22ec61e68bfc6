package org.xenoservice.samples.bookstore;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/**
 * Draws a book's cover: coloured cloth, a gilt frame, the title and the author, as a small PNG.
 * Generated, so the shop needs no photographs, and deterministic (the colour comes from the id, no
 * timestamp goes into the file), so the same catalogue gives the same bytes and a new bundle
 * carries only the covers that changed. The text depends on the fonts installed, so two machines
 * may draw the same cover differently; one machine always draws it the same.
 */
final class Covers {
    /** Width of a cover, in pixels. */
    static final int WIDTH = 120;
    /** Height of a cover, in pixels. */
    static final int HEIGHT = 180;

    private static final Color[] CLOTH = {
        new Color(0x6b1e1e), new Color(0x1f3b5c), new Color(0x2f4f2f), new Color(0x5a3a1a),
        new Color(0x3d2b4f), new Color(0x7a5230), new Color(0x1e4d4d), new Color(0x4a4a4a),
    };
    private static final Color GILT = new Color(0xd8b55b);
    private static final int MARGIN = 12;

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true"); // a server draws covers without a display
        }
    }

    private Covers() {}

    /** The cover of {@code book}, as PNG bytes. */
    static byte[] png(Book book) throws IOException {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_OFF);
            Color cloth = CLOTH[(int) (crc(book.id()) % CLOTH.length)];
            g.setColor(cloth);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            g.setColor(cloth.darker());
            for (int x = -HEIGHT; x < WIDTH; x += 4) {
                g.drawLine(x, 0, x + HEIGHT, HEIGHT); // the weave of the cloth
            }
            g.setColor(cloth.darker().darker());
            g.fillRect(0, 0, 8, HEIGHT); // the spine's shadow
            g.setColor(GILT);
            g.setStroke(new BasicStroke(1.5f));
            g.drawRect(MARGIN - 4, 6, WIDTH - 2 * MARGIN + 6, HEIGHT - 12);
            Font titleFont = new Font(Font.SERIF, Font.BOLD, 13);
            int y = drawLines(g, titleFont, book.title(), 30, 6);
            g.drawLine(WIDTH / 2 - 15, y + 4, WIDTH / 2 + 15, y + 4);
            drawLines(g, new Font(Font.SERIF, Font.ITALIC, 11), book.author(), HEIGHT - 44, 2);
            drawLines(g, new Font(Font.SERIF, Font.PLAIN, 10), Integer.toString(book.year()), HEIGHT - 16, 1);
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream(8192);
        if (!ImageIO.write(image, "png", png)) {
            throw new IOException("this JDK has no PNG writer");
        }
        return png.toByteArray();
    }

    /** Draws {@code text} centred, wrapped to the cover's width, from {@code top}; the last baseline. */
    private static int drawLines(Graphics2D g, Font font, String text, int top, int maxLines) {
        g.setFont(font);
        FontMetrics metrics = g.getFontMetrics();
        List<String> lines = wrap(text, metrics, WIDTH - 2 * MARGIN - 4, maxLines);
        int y = top;
        for (String line : lines) {
            g.drawString(line, (WIDTH - metrics.stringWidth(line)) / 2 + 2, y);
            y += metrics.getHeight();
        }
        return y - metrics.getHeight();
    }

    static List<String> wrap(String text, FontMetrics metrics, int width, int maxLines) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.strip().split("\\s+", -1)) {
            String candidate = line.length() == 0 ? word : line + " " + word;
            if (metrics.stringWidth(candidate) <= width || line.length() == 0) {
                line.setLength(0);
                line.append(candidate);
            } else {
                lines.add(line.toString());
                line.setLength(0);
                line.append(word);
            }
        }
        lines.add(line.toString());
        if (lines.size() > maxLines) {
            List<String> kept = new ArrayList<>(lines.subList(0, maxLines));
            kept.set(maxLines - 1, kept.get(maxLines - 1) + "…");
            return kept;
        }
        return lines;
    }

    private static long crc(String id) {
        CRC32 crc = new CRC32();
        crc.update(id.getBytes(StandardCharsets.UTF_8));
        return crc.getValue();
    }
}
