package dev.pgmigrate.cli;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads {@code show --output}: {@code table}, {@code json}, {@code html} or {@code az-json}, in any case. */
final class ShowOutputs implements ITypeConverter<MigrationCommand.ShowOutput> {
    @Override
    public MigrationCommand.ShowOutput convert(String value) {
        for (MigrationCommand.ShowOutput output : MigrationCommand.ShowOutput.values()) {
            if (label(output).equalsIgnoreCase(value.trim())) {
                return output;
            }
        }
        throw new TypeConversionException("'" + value + "' is not an output of show; use one of: "
                + Arrays.stream(MigrationCommand.ShowOutput.values()).map(ShowOutputs::label)
                        .collect(Collectors.joining(", ")));
    }

    /** The spelling on the command line: {@code az_json} is {@code az-json}. */
    static String label(MigrationCommand.ShowOutput output) {
        return output.name().replace('_', '-').toLowerCase(Locale.ROOT);
    }
}
