package dev.pgmigrate.api.spi;

import dev.pgmigrate.api.Stable;
import java.util.Objects;

/**
 * One column a data mover copies.
 *
 * @param name the column's name, unquoted
 * @param type the type as {@code format_type} prints it, such as {@code "numeric(10,2)"}
 * @param binarySafe whether the column's binary COPY form can be read by the target: false for types without
 *     binary I/O, and for arrays and composites of user-defined types, whose binary form carries type OIDs
 *     that differ between servers
 * @since 0.1
 */
@Stable(since = "0.1")
public record CopyColumn(String name, String type, boolean binarySafe) {
    public CopyColumn {
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(type, "type must not be null");
    }
}
