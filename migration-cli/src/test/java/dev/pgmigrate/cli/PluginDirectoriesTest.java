package dev.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where plugin jars are looked for, in which order, and what a wrong --plugin-path gets. */
class PluginDirectoriesTest {
    @TempDir
    Path dir;

    @Test
    void looksInEachPluginPathThenTheDistributionThenTheStateDirectory() throws Exception {
        Path first = Files.createDirectories(dir.resolve("first"));
        Path second = Files.createDirectories(dir.resolve("second"));
        String before = System.getProperty(PluginDirectories.DISTRIBUTION);
        System.setProperty(PluginDirectories.DISTRIBUTION, dir.resolve("dist/plugins").toString());
        try {
            List<PluginDirectories.Directory> found = PluginDirectories.of(List.of(first, second),
                    dir.resolve("state"));
            assertThat(found).extracting(PluginDirectories.Directory::path).containsExactly(first, second,
                    dir.resolve("dist/plugins"), dir.resolve("state/plugins"));
            assertThat(found).extracting(PluginDirectories.Directory::origin).containsExactly("--plugin-path",
                    "--plugin-path", "the distribution", "the state directory");
        } finally {
            if (before == null) {
                System.clearProperty(PluginDirectories.DISTRIBUTION);
            } else {
                System.setProperty(PluginDirectories.DISTRIBUTION, before);
            }
        }
    }

    @Test
    void findsTheJarsOfADirectoryInNameOrderAndNothingInOneThatIsAbsent() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.writeString(plugins.resolve("b.jar"), "");
        Files.writeString(plugins.resolve("a.jar"), "");
        Files.writeString(plugins.resolve("README.txt"), "");

        assertThat(new PluginDirectories.Directory(plugins, "test").jars()).containsExactly(plugins.resolve("a.jar"),
                plugins.resolve("b.jar"));
        assertThat(new PluginDirectories.Directory(dir.resolve("absent"), "test").jars()).isEmpty();
    }

    @Test
    void aPluginPathThatIsNotADirectoryIsABadUsageNamingIt() {
        assertThatThrownBy(() -> PluginDirectories.of(List.of(dir.resolve("missing")), dir.resolve("state")))
                .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE))
                .hasMessageContaining("--plugin-path " + dir.resolve("missing") + " is not a directory");
    }

    @Test
    void aStatePluginDirectoryOthersMayWriteToIsRefusedNotRead() throws Exception {
        Path state = Files.createDirectories(dir.resolve("state"));
        Path plugins = Files.createDirectories(state.resolve("plugins"));
        Files.setPosixFilePermissions(plugins, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> PluginDirectories.of(List.of(), state))
                .isInstanceOfSatisfying(dev.pgmigrate.api.MigrationException.class, e -> assertThat(e.code())
                        .isEqualTo(dev.pgmigrate.api.MessageCode.STATE_STORE_UNUSABLE))
                .hasMessageContaining("The plugin directory " + plugins + " may be written by other users "
                        + "(rwxrwxrwx): a jar placed there would run as you")
                .hasMessageContaining("chmod go-w " + plugins);

        Files.setPosixFilePermissions(plugins, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(PluginDirectories.of(List.of(), state)).extracting(PluginDirectories.Directory::path)
                .endsWith(plugins);
    }
}
