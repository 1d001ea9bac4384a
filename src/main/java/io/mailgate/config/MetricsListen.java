package io.mailgate.config;

import java.net.InetSocketAddress;

/**
 * {@code metrics_listen}: where the metrics and health HTTP server listens.
 *
 * @param text the address as nginx prints it ({@code 127.0.0.1:9143}), for logs
 */
public record MetricsListen(InetSocketAddress address, String text) {}
