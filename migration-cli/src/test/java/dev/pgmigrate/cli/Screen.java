package dev.pgmigrate.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * What a terminal shows after some output: the few controls the progress display uses (carriage return, line
 * feed, cursor up {@code ESC[nA}, erase below {@code ESC[J}, erase line {@code ESC[2K}) applied to lines of text,
 * so a test reads the screen a person would see rather than the bytes that drew it.
 */
final class Screen {
    private final List<StringBuilder> lines = new ArrayList<>();
    private int row;
    private int column;

    /** The screen after {@code output}, from an empty one. */
    static Screen of(String output) {
        Screen screen = new Screen();
        screen.feed(output);
        return screen;
    }

    void feed(String output) {
        for (int i = 0; i < output.length(); i++) {
            char c = output.charAt(i);
            if (c == '\u001b' && i + 1 < output.length() && output.charAt(i + 1) == '[') {
                int end = i + 2;
                while (end < output.length() && !Character.isLetter(output.charAt(end))) {
                    end++;
                }
                if (end == output.length()) {
                    break;
                }
                control(output.substring(i + 2, end), output.charAt(end));
                i = end;
            } else if (c == '\r') {
                column = 0;
            } else if (c == '\n') {
                row++;
                column = 0;
            } else {
                StringBuilder line = line(row);
                while (line.length() < column) {
                    line.append(' ');
                }
                if (column < line.length()) {
                    line.setCharAt(column, c);
                } else {
                    line.append(c);
                }
                column++;
            }
        }
    }

    private void control(String argument, char command) {
        switch (command) {
            case 'A' -> row = Math.max(0, row - (argument.isEmpty() ? 1 : Integer.parseInt(argument)));
            case 'J' -> {
                StringBuilder line = line(row);
                line.setLength(Math.min(line.length(), column));
                while (lines.size() > row + 1) {
                    lines.remove(lines.size() - 1);
                }
            }
            case 'K' -> line(row).setLength(0);
            default -> {
                // Colours and the like change no text.
            }
        }
    }

    private StringBuilder line(int index) {
        while (lines.size() <= index) {
            lines.add(new StringBuilder());
        }
        return lines.get(index);
    }

    /** Every line on the screen, trailing blanks and trailing empty lines removed. */
    List<String> lines() {
        List<String> out = new ArrayList<>();
        for (StringBuilder line : lines) {
            out.add(line.toString().stripTrailing());
        }
        while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        return out;
    }

    /** The last {@code n} lines of {@link #lines()}. */
    List<String> last(int n) {
        List<String> all = lines();
        return all.subList(Math.max(0, all.size() - n), all.size());
    }

    @Override
    public String toString() {
        return String.join("\n", lines());
    }
}
