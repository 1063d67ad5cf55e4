package dev.pgmigrate.validators;

import dev.pgmigrate.api.spi.ServerAccess;
import dev.pgmigrate.api.spi.ValidationContext;

/** I1, I3, I15: the source accepts pgmigrate's login, over the TLS mode asked for; names the address family. */
public final class SourceConnectivityValidator extends ConnectivityCheck {
    public SourceConnectivityValidator() {
        super("source-connectivity", "The source server is reachable and accepts the admin login.");
    }

    @Override
    ServerAccess server(ValidationContext context) {
        return context.source();
    }
}
