package org.retinanet.api.statedict;

import java.util.List;

/** What a load did: keys loaded, model keys missing from the file, file keys with no place, and keys ignored on purpose. */
public record LoadReport(List<String> loaded, List<String> missing, List<String> unexpected, List<String> ignored) {}
