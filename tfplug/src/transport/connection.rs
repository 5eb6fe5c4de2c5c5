//! One accepted connection, whatever it runs over (unix socket or TCP, with
//! or without TLS), in the shape tonic serves.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tonic::transport::server::Connected;

/// Anything a gRPC connection can run over.
trait ByteStream: AsyncRead + AsyncWrite + Send + Unpin + 'static {}

impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> ByteStream for T {}

/// A connection to Terraform. Boxing erases the stream types (unix, TCP, TLS
/// over either) behind one, which keeps the accept loop and tonic's
/// `serve_with_incoming` monomorphic.
pub(crate) struct PluginConnection(Box<dyn ByteStream>);

impl PluginConnection {
    pub(crate) fn new(stream: impl AsyncRead + AsyncWrite + Send + Unpin + 'static) -> Self {
        Self(Box::new(stream))
    }
}

impl AsyncRead for PluginConnection {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.get_mut().0).poll_read(cx, buf)
    }
}

impl AsyncWrite for PluginConnection {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.get_mut().0).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.get_mut().0).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.get_mut().0).poll_shutdown(cx)
    }
}

/// Terraform is the only peer, so there is nothing to tell handlers about it.
impl Connected for PluginConnection {
    type ConnectInfo = ();

    fn connect_info(&self) -> Self::ConnectInfo {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn passes_bytes_both_ways() {
        let (near, mut far) = tokio::io::duplex(64);
        let mut connection = PluginConnection::new(near);

        connection.write_all(b"ping").await.unwrap();
        let mut received = [0u8; 4];
        far.read_exact(&mut received).await.unwrap();
        assert_eq!(&received, b"ping");

        far.write_all(b"pong").await.unwrap();
        connection.read_exact(&mut received).await.unwrap();
        assert_eq!(&received, b"pong");

        connection.shutdown().await.unwrap();
        assert_eq!(
            far.read(&mut received).await.unwrap(),
            0,
            "shutdown reaches the peer"
        );
    }
}
