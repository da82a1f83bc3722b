import Platform

/// Answers requests for an `HTTPServer`.
package protocol HTTPHandler: Sendable {
    /// Called on the connection's event-loop thread; must not block. Answer exactly once through `responder`, from any thread.
    func handle(_ request: HTTPRequest, responder: HTTPResponder)
}

/// The one-shot way to answer a request; cheap to copy and safe to send to other threads.
///
/// Answers to pipelined requests go out in request order, whatever order handlers answer in.
/// A second answer to the same request is ignored.
package struct HTTPResponder: Sendable {
    let connection: ServerConnection
    let sequence: Int

    /// Sends `response`; `Content-Length` and `Connection` are set from the body and the connection state.
    package func respond(_ response: HTTPResponse) {
        if connection.loop.inEventLoop {
            // The common case (answered inside `handle`) costs no closure allocation.
            connection.complete(sequence, with: response)
            return
        }
        let sequence = sequence
        connection.loop.execute { [connection] in connection.complete(sequence, with: response) }
    }

    /// Starts a chunked response whose body is written later through the returned writer.
    package func startStream(status: Int, headers: HTTPHeaders) -> HTTPBodyWriter {
        let writer = HTTPBodyWriter(connection: connection, sequence: sequence)
        let sequence = sequence
        connection.onLoop { $0.startStream(sequence, status: status, headers: headers, writer: writer) }
        return writer
    }
}
