package dev.pgmigrate.embedded;

import java.nio.file.Path;

/** Run by {@link PostgresBinariesTest} in child JVMs: extracts one version into a given cache. */
final class ExtractInAnotherJvm {
    private ExtractInAnotherJvm() {
    }

    public static void main(String[] args) {
        PostgresBinaries binaries = PostgresBinaries.of(args[0], Path.of(args[1]));
        // The parent reads this line; a test helper's stdout is its only channel.
        System.out.println("HOME=" + binaries.home());
    }
}
