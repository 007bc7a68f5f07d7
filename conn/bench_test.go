package conn_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"google.golang.org/protobuf/proto"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/wire"
)

// pushServer logs a client in (when it sends a login), then pushes the
// given frames as fast as it can once start is closed.
type pushServer struct {
	*httptest.Server
	frames [][]byte
	start  chan struct{}
	// written is closed once every frame is on the wire. Writes block while
	// the client does not read, so this also proves the client kept reading.
	written chan struct{}
}

func newPushServer(b testing.TB, frames [][]byte) *pushServer {
	ps := &pushServer{frames: frames, start: make(chan struct{}), written: make(chan struct{})}
	up := websocket.Upgrader{}
	ps.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		if r.URL.Query().Get("raw") == "" {
			// Our client: answer the login and the pending list first.
			for answered := 0; answered < 2; {
				_, data, err := ws.ReadMessage()
				if err != nil {
					return
				}
				var m wire.WebsocketMessage
				_ = proto.Unmarshal(data, &m)
				switch m.GetCmd() {
				case wire.CmdUserLogin:
					loginOK(ws)
					answered++
				case wire.CmdGetPendingMessages:
					sendFrame(ws, &wire.WebsocketMessage{Cmd: wire.CmdGetPendingMessages, GetPendingMessagesResponse: &wire.GetPendingMessagesResponse{}})
					answered++
				}
			}
			go holdOpen(ws)
		}
		<-ps.start
		for _, f := range ps.frames {
			if err := ws.WriteMessage(websocket.BinaryMessage, f); err != nil {
				return
			}
		}
		close(ps.written)
		<-r.Context().Done()
	}))
	b.Cleanup(ps.Close)
	return ps
}

func askFrames(n int, prefix string) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i], _ = proto.Marshal(&wire.WebsocketMessage{Cmd: wire.CmdAskQuestion, AskQuestionRequest: &wire.AskQuestionRequest{
			ID: fmt.Sprintf("%s-%d", prefix, i), UserToken: testToken, Timestamp: time.Now().UnixMilli(),
			Request: &wire.McpAskQuestionRequest{ProjectDirectory: "/src/app", Question: "Deploy **now**?", Timeout: 600,
				AgentName: "claude", ReasoningModelName: "sonnet", McpClientName: "Claude Code"}}})
	}
	return out
}

// rawRead times bare gorilla clients reading every frame from each server.
func rawRead(b *testing.B, servers []*pushServer) time.Duration {
	conns := make([]*websocket.Conn, len(servers))
	for i, s := range servers {
		ws, _, err := websocket.DefaultDialer.Dial(wsURL(s.URL)+"?raw=1", nil)
		if err != nil {
			b.Fatal(err)
		}
		defer ws.Close()
		conns[i] = ws
	}
	var wg sync.WaitGroup
	begin := time.Now()
	for i, ws := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range servers[i].frames {
				if _, _, err := ws.ReadMessage(); err != nil {
					b.Error(err)
					return
				}
			}
		}()
		close(servers[i].start)
	}
	wg.Wait()
	return time.Since(begin)
}

// managerRead times one manager turning every frame of every server into a
// RequestArrived event at the consumer.
func managerRead(b *testing.B, servers []*pushServer) time.Duration {
	m := conn.NewManager(conn.Options{Token: testToken, Nickname: "bench"})
	defer m.Close()
	for i, s := range servers {
		m.Put(serverCfg(fmt.Sprint("s", i), wsURL(s.URL)))
	}
	total, connected := 0, 0
	for _, s := range servers {
		total += len(s.frames)
	}
	for connected < len(servers) {
		if e, ok := (<-m.Events()).(conn.Reconciled); ok && e.Pending == 0 {
			connected++
		}
	}
	begin := time.Now()
	for _, s := range servers {
		close(s.start)
	}
	for got := 0; got < total; {
		if _, ok := (<-m.Events()).(conn.RequestArrived); ok {
			got++
		}
	}
	return time.Since(begin)
}

// bestOf runs raw and ours alternately three times each, on fresh servers,
// and returns the fastest of each: on a small shared machine the slowest runs
// measure the neighbours, not the code.
func bestOf(b *testing.B, servers func() []*pushServer) (raw, ours time.Duration) {
	for i := 0; i < 3; i++ {
		b.StopTimer()
		r := rawRead(b, servers())
		s := servers()
		b.StartTimer()
		o := managerRead(b, s)
		if i == 0 || r < raw {
			raw = r
		}
		if i == 0 || o < ours {
			ours = o
		}
	}
	return raw, ours
}

// BenchmarkPushToEvent: frames pushed by one server until each is an event
// at the consumer, against a bare gorilla client reading the same frames.
// ns/op covers three runs of ours.
func BenchmarkPushToEvent(b *testing.B) {
	frames := askFrames(b.N, "p")
	raw, ours := bestOf(b, func() []*pushServer { return []*pushServer{newPushServer(b, frames)} })
	b.ReportMetric(float64(ours)/float64(raw), "x-raw")
}

// BenchmarkFanIn: ten servers push at once into one consumer, against ten
// bare readers. Reports events/s and the throughput ratio to raw.
func BenchmarkFanIn(b *testing.B) {
	const servers = 10
	per := max(b.N/servers, 1)
	frames := make([][][]byte, servers)
	for i := range frames {
		frames[i] = askFrames(per, fmt.Sprint("s", i))
	}
	raw, ours := bestOf(b, func() []*pushServer {
		out := make([]*pushServer, servers)
		for i := range out {
			out[i] = newPushServer(b, frames[i])
		}
		return out
	})
	events := float64(per * servers)
	b.ReportMetric(events/ours.Seconds(), "events/s")
	b.ReportMetric(raw.Seconds()/ours.Seconds(), "of-raw")
}

func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// BenchmarkIdleDeadServers: 50 enabled servers that refuse connections,
// with the default backoff, over a full minute from start-up (each iteration
// is one minute). Reports CPU as a share of one core, the bare process idling
// for 10 s as the baseline, and how much the live heap grew from the first
// to the last half-minute.
func BenchmarkIdleDeadServers(b *testing.B) {
	const minute = time.Minute
	idleStart := cpuTime()
	time.Sleep(10 * time.Second)
	idle := cpuTime() - idleStart

	var cpu time.Duration
	var growth int64
	for i := 0; i < b.N; i++ {
		start := cpuTime()
		m := conn.NewManager(conn.Options{Token: testToken, Nickname: "idle"})
		for j := 0; j < 50; j++ {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			addr := l.Addr().String()
			l.Close() // nothing listens there now: every dial is refused
			m.Put(serverCfg(fmt.Sprint("dead", j), "ws://"+addr+"/ws"))
		}
		go func() {
			for range m.Events() {
			}
		}()
		time.Sleep(minute / 2)
		half := heapInUse()
		time.Sleep(minute / 2)
		growth += int64(heapInUse()) - int64(half)
		cpu += cpuTime() - start
		m.Close()
	}
	b.ReportMetric(cpu.Seconds()/(float64(b.N)*minute.Seconds())*100, "%core")
	b.ReportMetric(idle.Seconds()/10*100, "%core-idle-baseline")
	b.ReportMetric(float64(growth)/float64(b.N), "heap-growth-B")
}
