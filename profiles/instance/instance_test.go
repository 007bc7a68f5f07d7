package instance

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// childDirEnv makes this test binary act as a second agentdesk process
// holding the config folder it names (see TestMain).
const childDirEnv = "AGENTDESK_INSTANCE_CHILD_DIR"

// TestMain turns the test binary into a child instance when asked: it
// acquires the folder, says "acquired", says "raised" for each raise
// request, and holds the lock until its stdin closes or it is killed.
func TestMain(m *testing.M) {
	if dir := os.Getenv(childDirEnv); dir != "" {
		os.Exit(runChild(dir))
	}
	os.Exit(m.Run())
}

func runChild(dir string) int {
	in, err := Acquire(dir)
	if err != nil {
		fmt.Printf("error %v\n", err)
		return 1
	}
	in.SetOnRaise(func() { fmt.Println("raised") })
	fmt.Println("acquired")
	io.Copy(io.Discard, os.Stdin) // until the parent closes it
	if err := in.Close(); err != nil {
		fmt.Printf("close error %v\n", err)
		return 1
	}
	return 0
}

// child is a running child instance.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
}

// startChild starts a process holding dir and waits until it has it.
func startChild(t *testing.T, dir string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childDirEnv+"="+dir)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, stdin: stdin, lines: make(chan string, 16)}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		close(c.lines)
	}()
	t.Cleanup(func() {
		c.cmd.Process.Kill()
		c.cmd.Wait()
	})
	if line := c.next(t); line != "acquired" {
		t.Fatalf("child: %q, want acquired", line)
	}
	return c
}

// next waits for the child's next line.
func (c *child) next(t *testing.T) string {
	t.Helper()
	select {
	case l, ok := <-c.lines:
		if !ok {
			t.Fatal("child exited")
		}
		return l
	case <-time.After(20 * time.Second):
		t.Fatal("no line from the child in 20 s")
	}
	return ""
}

// mustAcquire acquires dir and closes the instance when the test ends.
func mustAcquire(t *testing.T, dir string) *Instance {
	t.Helper()
	in, err := Acquire(dir)
	if err != nil {
		t.Fatalf("Acquire(%s): %v", dir, err)
	}
	t.Cleanup(func() { in.Close() })
	return in
}

// TestSecondProcessRaisesFirst: a second start in another process finds
// the first, which is asked to raise its window; the second is told so.
func TestSecondProcessRaisesFirst(t *testing.T) {
	dir := t.TempDir()
	c := startChild(t, dir)

	_, err := Acquire(dir)
	var re *RunningError
	if !errors.Is(err, ErrAlreadyRunning) || !errors.As(err, &re) || !re.Raised {
		t.Fatalf("second Acquire = %v; want a raised RunningError", err)
	}
	if !strings.Contains(err.Error(), "already running") {
		t.Errorf("message %q", err)
	}
	if line := c.next(t); line != "raised" {
		t.Fatalf("child said %q, want raised", line)
	}

	// The child quits cleanly: the folder is free again.
	c.stdin.Close()
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("child exit: %v", err)
	}
	mustAcquire(t, dir)
}

// TestStaleLockTakenOver: a holder killed without cleanup (kill -9,
// TerminateProcess) leaves its lock and info files; the next start takes
// over and publishes fresh ones.
func TestStaleLockTakenOver(t *testing.T) {
	dir := t.TempDir()
	c := startChild(t, dir)
	staleInfo, err := os.ReadFile(filepath.Join(dir, InfoFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	c.cmd.Wait()
	if _, err := os.Stat(filepath.Join(dir, InfoFile)); err != nil {
		t.Fatalf("the killed child should have left its info file: %v", err)
	}

	in := mustAcquire(t, dir)
	info, err := os.ReadFile(filepath.Join(dir, InfoFile))
	if err != nil || string(info) == string(staleInfo) {
		t.Fatalf("info file not renewed: %q, %v", info, err)
	}
	// And it works: a raise reaches the new holder.
	raised := make(chan struct{}, 1)
	in.SetOnRaise(func() { raised <- struct{}{} })
	if err := requestRaise(dir); err != nil {
		t.Fatal(err)
	}
	waitRaised(t, raised)
}

func waitRaised(t *testing.T, raised <-chan struct{}) {
	t.Helper()
	select {
	case <-raised:
	case <-time.After(10 * time.Second):
		t.Fatal("no raise delivered")
	}
}

// TestRaiseInProcess: the OS lock also excludes a second open in the same
// process, so the whole exchange runs here too.
func TestRaiseInProcess(t *testing.T) {
	dir := t.TempDir()
	first := mustAcquire(t, dir)
	raised := make(chan struct{}, 4)
	first.SetOnRaise(func() { raised <- struct{}{} })

	if _, err := Acquire(dir); !errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("second Acquire = %v", err)
	}
	waitRaised(t, raised)
	if first.Dir() != dir {
		t.Errorf("Dir = %q", first.Dir())
	}

	// After Close the folder is free and the info file gone.
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, InfoFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("info file after Close: %v", err)
	}
	mustAcquire(t, dir)
}

// TestRaiseBeforeHandler: a raise that arrives while the UI is still
// starting is delivered once, when the handler is set.
func TestRaiseBeforeHandler(t *testing.T) {
	dir := t.TempDir()
	in := mustAcquire(t, dir)
	if err := requestRaise(dir); err != nil {
		t.Fatal(err)
	}
	calls := 0
	in.SetOnRaise(func() { calls++ })
	in.SetOnRaise(func() { calls += 10 })
	if calls != 1 {
		t.Errorf("pending raise delivered %d times (10 = to the second handler)", calls)
	}
}

// TestConfigDirsIndependent: two config folders are two instances.
func TestConfigDirsIndependent(t *testing.T) {
	a := mustAcquire(t, t.TempDir())
	b := mustAcquire(t, t.TempDir())
	if a.Dir() == b.Dir() {
		t.Fatal("same dir")
	}
	// A new folder is created, private.
	dir := filepath.Join(t.TempDir(), "new", "cfg")
	mustAcquire(t, dir)
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		t.Fatalf("config folder not created: %v", err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o700 {
		t.Errorf("config folder mode %v, want 0700", fi.Mode().Perm())
	}
}

// TestInfoFilePrivate: the secret is readable by the user only.
func TestInfoFilePrivate(t *testing.T) {
	dir := t.TempDir()
	mustAcquire(t, dir)
	fi, err := os.Stat(filepath.Join(dir, InfoFile))
	if err != nil {
		t.Fatal(err)
	}
	// Windows has no mode bits; there the folder's ACL (the user's
	// profile) protects it.
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("info file mode %v, want 0600", fi.Mode().Perm())
	}
}

// TestBadRequestsIgnored: whoever connects without the secret (another
// local user, a port scanner) gets no answer and raises nothing.
func TestBadRequestsIgnored(t *testing.T) {
	old := connTimeout
	connTimeout = 500 * time.Millisecond // how long a silent client is waited for
	t.Cleanup(func() { connTimeout = old })
	dir := t.TempDir()
	in := mustAcquire(t, dir)
	raised := make(chan struct{}, 8)
	in.SetOnRaise(func() { raised <- struct{}{} })
	port, secret, err := readInfo(filepath.Join(dir, InfoFile))
	if err != nil {
		t.Fatal(err)
	}
	wrong := strings.Repeat("0", len(secret))
	for name, req := range map[string]string{
		"wrong secret":   requestPrefix + wrong + "\n",
		"short secret":   requestPrefix + secret[:10] + "\n",
		"not hex":        requestPrefix + strings.Repeat("zz", secretBytes) + "\n",
		"no prefix":      secret + "\n",
		"no newline":     requestPrefix + secret,
		"oversized line": requestPrefix + strings.Repeat("a", 1<<20) + "\n",
		"empty":          "",
	} {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			t.Fatal(err)
		}
		go func() { io.WriteString(c, req) }()
		c.SetReadDeadline(time.Now().Add(connTimeout + 2*time.Second))
		reply, _ := io.ReadAll(c)
		c.Close()
		if len(reply) != 0 {
			t.Errorf("%s: got reply %q", name, reply)
		}
	}
	select {
	case <-raised:
		t.Fatal("a bad request raised the window")
	default:
	}
	// The right one still works afterwards.
	if err := requestRaise(dir); err != nil {
		t.Fatal(err)
	}
	waitRaised(t, raised)
}

// TestHolderNotAnswering: a holder that never publishes its address (hung
// before listening) makes the second start give up with a clear message
// instead of opening a second instance.
func TestHolderNotAnswering(t *testing.T) {
	old := raiseTimeout
	raiseTimeout = 300 * time.Millisecond
	t.Cleanup(func() { raiseTimeout = old })

	dir := t.TempDir()
	in := mustAcquire(t, dir)
	in.ln.Close() // hung: no one answers on the port
	_, err := Acquire(dir)
	var re *RunningError
	if !errors.As(err, &re) || re.Raised || !errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("Acquire = %v", err)
	}
	if !strings.Contains(err.Error(), "did not answer") {
		t.Errorf("message %q", err)
	}
}

// TestBadInfoFile: a damaged info file is reported, not trusted.
func TestBadInfoFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, InfoFile)
	for content, want := range map[string]string{
		"":                                  "expected form",
		"12 34 56":                          "expected form",
		"port " + strings.Repeat("ab", 32):  "no valid port",
		"70000 " + strings.Repeat("ab", 32): "no valid port",
		"1234 abcd":                         "no valid secret",
		"1234 " + strings.Repeat("x", 64):   "no valid secret",
		strings.Repeat("9", 10000):          "expected form",
	} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, _, err := readInfo(path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("info %.20q: %v, want %q", content, err, want)
		}
	}
	if _, _, err := readInfo(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "not published") {
		t.Errorf("missing: %v", err)
	}
}

// TestUnusableConfigDir: a config "folder" that is a file is an error
// that names it, not a panic or a second instance.
func TestUnusableConfigDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Acquire(file)
	if err == nil || errors.Is(err, ErrAlreadyRunning) || !strings.Contains(err.Error(), file) {
		t.Fatalf("Acquire(file) = %v", err)
	}
}
