package conn

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"

	"github.com/gorilla/websocket"
)

// FailureKind sorts connection failures by what a user can do about them.
type FailureKind int

const (
	// FailureNone means there was no failure.
	FailureNone FailureKind = iota
	// FailureUnreachable: DNS, refused, timed out, network down.
	FailureUnreachable
	// FailureAuth: the server (or its proxy) refused the credentials.
	FailureAuth
	// FailureTLS: the TLS handshake or certificate check failed.
	FailureTLS
	// FailureRejected: the HTTP server answered but refused the WebSocket.
	FailureRejected
	// FailureProtocol: the server broke the protocol (bad frames, no login answer).
	FailureProtocol
	// FailureConfig: the server's settings cannot work (bad URL).
	FailureConfig
)

// String names the kind the way doctor prints it.
func (k FailureKind) String() string {
	switch k {
	case FailureNone:
		return "none"
	case FailureUnreachable:
		return "unreachable"
	case FailureAuth:
		return "auth-failed"
	case FailureTLS:
		return "tls"
	case FailureRejected:
		return "rejected"
	case FailureProtocol:
		return "protocol"
	case FailureConfig:
		return "config"
	}
	return fmt.Sprintf("FailureKind(%d)", int(k))
}

// Error is a connection failure with a message written for users.
type Error struct {
	Kind FailureKind
	// Msg says what happened in plain words; it never holds secrets.
	Msg string
	// Err is the underlying cause, for errors.Is/As.
	Err error
}

func (e *Error) Error() string { return e.Msg }

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the FailureKind of err, FailureProtocol for unclassified errors.
func KindOf(err error) FailureKind {
	if err == nil {
		return FailureNone
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return FailureProtocol
}

func newError(kind FailureKind, err error, format string, args ...any) *Error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...), Err: err}
}

// classifyDialError turns a failed dial or upgrade into an *Error. resp is the
// HTTP answer to the upgrade, when there was one.
func classifyDialError(err error, resp *http.Response, target *url.URL) *Error {
	host := target.Host
	if resp != nil {
		switch resp.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden:
			return newError(FailureAuth, err, "%s refused the credentials (HTTP %d): check the Basic auth user and password", host, resp.StatusCode)
		}
		if errors.Is(err, websocket.ErrBadHandshake) {
			return newError(FailureRejected, err, "%s answered HTTP %d instead of opening a WebSocket: check the URL path", host, resp.StatusCode)
		}
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return newError(FailureUnreachable, err, "cannot resolve host %q: %s", dnsErr.Name, dnsErr.Err)
	}
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostnameErr x509.HostnameError
	var invalidCert x509.CertificateInvalidError
	var recordErr tls.RecordHeaderError
	if errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostnameErr) || errors.As(err, &invalidCert) {
		return newError(FailureTLS, err, "TLS certificate of %s is not trusted: %s", host, rootCause(err))
	}
	if errors.As(err, &recordErr) {
		return newError(FailureTLS, err, "TLS handshake with %s failed: the server does not speak TLS (use ws:// instead of wss://?)", host)
	}
	if strings.Contains(err.Error(), "tls:") {
		return newError(FailureTLS, err, "TLS handshake with %s failed: %s", host, rootCause(err))
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, wsaeConnRefused) {
		return newError(FailureUnreachable, err, "connection refused: nothing is listening at %s", host)
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return newError(FailureUnreachable, err, "%s did not answer in time", host)
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return newError(FailureUnreachable, err, "cannot reach %s: %s", host, rootCause(err))
	}
	return newError(FailureUnreachable, err, "cannot connect to %s: %s", host, rootCause(err))
}

// wsaeConnRefused is Windows' WSAECONNREFUSED: a refused dial there fails
// with this Winsock code, which is not syscall.ECONNREFUSED. No other
// platform uses 10061.
const wsaeConnRefused = syscall.Errno(10061)

// rootCause strips wrapping so messages stay short.
func rootCause(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}
