package dev.fulcrum.core.report;

import dev.fulcrum.core.io.AtomicFiles;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/** Saving charts as PNG (headless), singly or as a grid, atomically. */
public final class Charts {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    public static void save(Chart<?, ?> chart, Path png) {
        saveGrid(List.of(chart), png);
    }

    public static void saveGrid(List<? extends Chart<?, ?>> charts, Path png) {
        if (charts.isEmpty()) {
            return;
        }
        int cols = Math.min(3, charts.size());
        int rows = (charts.size() + cols - 1) / cols;
        int w = charts.getFirst().getWidth(), h = charts.getFirst().getHeight();
        BufferedImage image = new BufferedImage(cols * w, rows * h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        for (int i = 0; i < charts.size(); i++) {
            BufferedImage one = BitmapEncoder.getBufferedImage(charts.get(i));
            g.drawImage(one, (i % cols) * w, (i / cols) * h, null);
        }
        g.dispose();
        AtomicFiles.write(png, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer");
            }
        });
    }
}
