package io.strait.proxy.cluster;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * The channel classes that run on a given event loop group: health checks and DNS queries must use
 * the same transport (NIO or epoll) as the loops they are registered with.
 */
record Transport(Class<? extends SocketChannel> socket, Class<? extends DatagramChannel> datagram) {
    private static final Transport NIO = new Transport(NioSocketChannel.class, NioDatagramChannel.class);
    private static final Transport EPOLL = new Transport(EpollSocketChannel.class, EpollDatagramChannel.class);

    static Transport of(EventLoopGroup group) {
        if (group instanceof IoEventLoopGroup io) {
            if (io.isIoType(NioIoHandler.class)) return NIO;
            if (io.isIoType(EpollIoHandler.class)) return EPOLL;
        }
        throw new IllegalArgumentException("clusters support NIO and epoll event loops, not " + group.getClass().getName());
    }
}
