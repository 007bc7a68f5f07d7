// Package instance keeps one agentdesk running per user and config
// folder. A second start would open a second set of connections that race
// the first to answer the same requests; instead it asks the running one
// to come to the front, and quits.
//
// [Acquire] takes an OS file lock on agentdesk.lock in the config folder
// (flock on Unix, LockFileEx on Windows). The OS drops the lock when its
// process dies, however it dies, so a lock left by a crash or kill -9 is
// simply taken over by the next start. The holder listens on a loopback
// TCP port for "raise" requests; the port and a random secret are in
// agentdesk.instance (mode 0600) beside the lock, so only someone who can
// read the config folder — that user — can raise the window. Another local
// user can connect to the port but not prove the secret.
//
//	inst, err := instance.Acquire(configDir)
//	if errors.Is(err, instance.ErrAlreadyRunning) {
//		os.Exit(0) // the running one was asked to raise its window
//	}
//	defer inst.Close()
//	inst.SetOnRaise(func() { fyne.Do(func() { w.Show(); w.RequestFocus() }) })
//
// The package has no Fyne import and does not import conn.
package instance

import (
	"bufio"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// File names in the config folder.
const (
	// LockFile is held locked by the running instance. It is never
	// deleted: removing a lock file opens a window for two holders.
	LockFile = "agentdesk.lock"
	// InfoFile holds "port secret" of the running instance, mode 0600.
	InfoFile = "agentdesk.instance"
)

// Protocol: the client sends requestPrefix + hex secret + "\n"; the
// holder answers replyOK + "\n" when the secret matches.
const (
	requestPrefix = "agentdesk-raise "
	replyOK       = "raised"
	secretBytes   = 32
	// maxLine bounds what the holder reads from a connection.
	maxLine = len(requestPrefix) + 2*secretBytes + 2
	// maxInfoSize bounds what a starting process reads from InfoFile.
	maxInfoSize = 256
)

// Timeouts. A running instance answers at once; the waits only cover a
// first instance still starting (lock taken, port not yet written).
var (
	raiseTimeout = 5 * time.Second
	connTimeout  = 2 * time.Second
)

// ErrAlreadyRunning is wrapped by the error [Acquire] returns when another
// live agentdesk holds the config folder.
var ErrAlreadyRunning = errors.New("agentdesk is already running for this config folder")

// RunningError says that another agentdesk holds the config folder, and
// whether it was asked to raise its window.
type RunningError struct {
	// Dir is the config folder.
	Dir string
	// Raised is set when the running instance confirmed the request.
	Raised bool
	// Err is why the raise request failed, when Raised is false.
	Err error
}

func (e *RunningError) Error() string {
	if e.Raised {
		return fmt.Sprintf("agentdesk is already running for %s; its window was brought to the front", e.Dir)
	}
	return fmt.Sprintf("agentdesk is already running for %s, but did not answer the request to show its window (%v); if it hangs, end it in your task manager", e.Dir, e.Err)
}

// Is makes errors.Is(err, ErrAlreadyRunning) true.
func (e *RunningError) Is(target error) bool { return target == ErrAlreadyRunning }

// Unwrap returns why the raise failed.
func (e *RunningError) Unwrap() error { return e.Err }

// Instance is the running agentdesk's hold on its config folder. Its
// methods are safe for concurrent use.
type Instance struct {
	dir    string
	lock   *os.File
	ln     net.Listener
	secret []byte

	mu      sync.Mutex
	onRaise func()
	pending bool // a raise arrived before SetOnRaise
	closed  bool
	wg      sync.WaitGroup
}

// Acquire makes this process the agentdesk instance of configDir, creating
// the folder (0700) if needed. When another live process holds it,
// Acquire asks that process to raise its window and returns a
// *[RunningError] (errors.Is(err, [ErrAlreadyRunning])); the caller
// should then exit, with status 0 when RunningError.Raised. Any other
// error means the lock could not be checked at all.
func Acquire(configDir string) (*Instance, error) {
	if err := os.MkdirAll(configDir, 0o700); err != nil {
		return nil, fmt.Errorf("cannot create the config folder %s: %w", configDir, err)
	}
	f, err := os.OpenFile(filepath.Join(configDir, LockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cannot open the instance lock in %s: %w", configDir, err)
	}
	held, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("cannot lock %s: %w", f.Name(), err)
	}
	if held {
		f.Close()
		err := requestRaise(configDir)
		return nil, &RunningError{Dir: configDir, Raised: err == nil, Err: err}
	}

	in := &Instance{dir: configDir, lock: f}
	if err := in.listen(); err != nil {
		in.release()
		return nil, err
	}
	return in, nil
}

// listen starts the raise listener and publishes its port and secret.
func (in *Instance) listen() error {
	info := filepath.Join(in.dir, InfoFile)
	// The file left by a crashed holder names a dead port or, worse,
	// someone else's: remove it before anything else can read it.
	if err := os.Remove(info); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("cannot replace %s: %w", info, err)
	}
	in.secret = make([]byte, secretBytes)
	if _, err := rand.Read(in.secret); err != nil {
		return fmt.Errorf("cannot make the instance secret: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("cannot listen for a second start on loopback: %w", err)
	}
	in.ln = ln
	port := ln.Addr().(*net.TCPAddr).Port
	content := fmt.Sprintf("%d %s\n", port, hex.EncodeToString(in.secret))
	if err := writePrivate(info, content); err != nil {
		ln.Close()
		return fmt.Errorf("cannot write %s: %w", info, err)
	}
	in.wg.Add(1)
	go in.serve()
	return nil
}

// writePrivate writes a 0600 file atomically, so a reader never sees half
// of it.
func writePrivate(path, content string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), InfoFile+".*")
	if err != nil {
		return err
	}
	_ = tmp.Chmod(0o600) // CreateTemp already makes it 0600 on Unix
	_, err = tmp.WriteString(content)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// serve answers raise requests until Close.
func (in *Instance) serve() {
	defer in.wg.Done()
	for {
		c, err := in.ln.Accept()
		if err != nil {
			return // closed
		}
		in.wg.Add(1)
		go func() {
			defer in.wg.Done()
			in.handle(c)
		}()
	}
}

// handle checks one request. Anything but the exact request line with
// the right secret is dropped without an answer.
func (in *Instance) handle(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(connTimeout))
	line, err := bufio.NewReaderSize(io.LimitReader(c, int64(maxLine)), maxLine).ReadString('\n')
	if err != nil {
		return
	}
	got, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), requestPrefix)
	if !ok {
		return
	}
	secret, err := hex.DecodeString(got)
	if err != nil || subtle.ConstantTimeCompare(secret, in.secret) != 1 {
		return
	}
	_, _ = c.Write([]byte(replyOK + "\n"))
	in.raise()
}

// raise calls the handler, or remembers the request until there is one.
func (in *Instance) raise() {
	in.mu.Lock()
	f := in.onRaise
	if f == nil {
		in.pending = true
	}
	closed := in.closed
	in.mu.Unlock()
	if f != nil && !closed {
		f()
	}
}

// SetOnRaise sets what to do when another start asks this instance to
// show itself: typically show the main window and request focus (through
// fyne.Do: f runs on a background goroutine). A request that arrived
// before any handler was set is delivered to f at once, once.
func (in *Instance) SetOnRaise(f func()) {
	in.mu.Lock()
	in.onRaise = f
	deliver := in.pending && f != nil && !in.closed
	in.pending = false
	in.mu.Unlock()
	if deliver {
		f()
	}
}

// Dir is the config folder this instance holds.
func (in *Instance) Dir() string { return in.dir }

// Close stops answering raise requests and releases the lock, so the next
// start becomes the instance. It is safe to call more than once.
func (in *Instance) Close() error {
	in.mu.Lock()
	if in.closed {
		in.mu.Unlock()
		return nil
	}
	in.closed = true
	in.mu.Unlock()
	in.ln.Close()
	in.wg.Wait()
	os.Remove(filepath.Join(in.dir, InfoFile))
	return in.release()
}

// release unlocks and closes the lock file.
func (in *Instance) release() error {
	err := unlock(in.lock)
	if cerr := in.lock.Close(); err == nil {
		err = cerr
	}
	return err
}

// requestRaise asks the instance holding dir to raise its window, waiting
// up to raiseTimeout for one that is still starting.
func requestRaise(dir string) error {
	deadline := time.Now().Add(raiseTimeout)
	var err error
	for {
		if err = tryRaise(dir); err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// tryRaise sends one raise request.
func tryRaise(dir string) error {
	port, secret, err := readInfo(filepath.Join(dir, InfoFile))
	if err != nil {
		return err
	}
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), connTimeout)
	if err != nil {
		return fmt.Errorf("cannot reach it: %w", err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(connTimeout))
	if _, err := fmt.Fprintf(c, "%s%s\n", requestPrefix, secret); err != nil {
		return fmt.Errorf("cannot send the request: %w", err)
	}
	reply, err := bufio.NewReaderSize(io.LimitReader(c, 64), 64).ReadString('\n')
	if err != nil || strings.TrimSpace(reply) != replyOK {
		return errors.New("it did not confirm the request")
	}
	return nil
}

// readInfo reads and checks InfoFile.
func readInfo(path string) (port int, secret string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", fmt.Errorf("it has not published its address yet: %w", err)
	}
	defer f.Close()
	buf := make([]byte, maxInfoSize)
	n, _ := f.Read(buf)
	fields := strings.Fields(string(buf[:n]))
	if len(fields) != 2 {
		return 0, "", fmt.Errorf("%s is not in the expected form", path)
	}
	port, err = strconv.Atoi(fields[0])
	if err != nil || port <= 0 || port > 65535 {
		return 0, "", fmt.Errorf("%s names no valid port", path)
	}
	if b, err := hex.DecodeString(fields[1]); err != nil || len(b) != secretBytes {
		return 0, "", fmt.Errorf("%s holds no valid secret", path)
	}
	return port, fields[1], nil
}
