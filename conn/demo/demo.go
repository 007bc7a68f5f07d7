// Package demo runs agentdesk's demo mode: two in-process Agent
// Assistant-compatible servers on loopback ("Demo Home" and "Demo Work"),
// each with a simulated agent asking questions and sending work reports at a
// human pace, and a simulated second user, alex, who answers one request
// before you can and replies to chat messages. It touches no user profile
// and no keyring.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/aaserver"
	"github.com/agentdesk/agentdesk/conn/wire"
)

// PeerNickname is the simulated second user.
const PeerNickname = "alex"

// Options tune the demo; zero values give the human pace of the real demo.
type Options struct {
	// Pace is the pause between one agent request and the next (default 12 s).
	// The first request comes after a tenth of it.
	Pace time.Duration
	// PeerDelay is how long alex waits before answering (default 8 s).
	PeerDelay time.Duration
	// TimeoutUnit stretches or shrinks the agents' timeouts; the server
	// counts one second of Timeout as this long (default 1 s).
	TimeoutUnit time.Duration
}

// Demo is a running demo: its servers, agents and peer.
type Demo struct {
	opts    Options
	token   string
	servers []*demoServer
	peer    *conn.Manager
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

type demoServer struct {
	cfg    conn.ServerConfig
	srv    *aaserver.Server
	script []step
}

// step is one agent call of the script.
type step struct {
	question bool
	text     string
	agent    string
	model    string
	client   string
	dir      string
	// timeout is in seconds; short ones end in a cancellation.
	timeout int32
	// peerAnswer, when set, is what alex replies to this request.
	peerAnswer string
}

// Start runs the demo at a human pace.
func Start() (*Demo, error) { return StartWith(Options{}) }

// StartWith runs the demo with custom pacing (tests speed it up).
func StartWith(opts Options) (*Demo, error) {
	if opts.Pace <= 0 {
		opts.Pace = 12 * time.Second
	}
	if opts.PeerDelay <= 0 {
		opts.PeerDelay = 8 * time.Second
	}
	if opts.TimeoutUnit <= 0 {
		opts.TimeoutUnit = time.Second
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &Demo{opts: opts, token: "demo-" + randomHex(6), ctx: ctx, cancel: cancel}
	for i, name := range []string{"Demo Home", "Demo Work"} {
		srv, err := aaserver.Start(aaserver.Config{TimeoutUnit: opts.TimeoutUnit})
		if err != nil {
			d.Close()
			return nil, fmt.Errorf("starting demo server %q: %w", name, err)
		}
		d.servers = append(d.servers, &demoServer{
			cfg: conn.ServerConfig{
				ID:    conn.ServerID("demo-" + strings.ToLower(strings.TrimPrefix(name, "Demo "))),
				Label: name, URL: srv.URL(), Enabled: true,
			},
			srv:    srv,
			script: scripts[i],
		})
	}
	d.startPeer()
	for _, s := range d.servers {
		d.wg.Add(1)
		go d.runAgent(s)
	}
	return d, nil
}

// Servers returns the demo servers' settings.
func (d *Demo) Servers() []conn.ServerConfig {
	out := make([]conn.ServerConfig, len(d.servers))
	for i, s := range d.servers {
		out[i] = s.cfg
	}
	return out
}

// Token is the user token the demo servers expect.
func (d *Demo) Token() string { return d.token }

// Nickname is a nickname for the demo user.
func (d *Demo) Nickname() string { return "you" }

// Close stops agents, peer and servers.
func (d *Demo) Close() {
	d.cancel()
	if d.peer != nil {
		d.peer.Close()
	}
	for _, s := range d.servers {
		s.srv.Close()
	}
	d.wg.Wait()
}

// runAgent plays one server's script over and over, one call at a time
// started every Pace; calls block in the background until answered,
// cancelled or timed out, as a real agent's would.
func (d *Demo) runAgent(s *demoServer) {
	defer d.wg.Done()
	wait := d.opts.Pace / 10
	for n := 1; ; n++ {
		select {
		case <-time.After(wait):
		case <-d.ctx.Done():
			return
		}
		wait = d.opts.Pace
		st := s.script[(n-1)%len(s.script)]
		id := fmt.Sprintf("%s-%d", s.cfg.ID, n)
		if st.peerAnswer != "" {
			id = "peer-" + id
		}
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			d.call(s, id, st)
		}()
	}
}

func (d *Demo) call(s *demoServer, id string, st step) {
	now := time.Now().UnixMilli()
	if st.question {
		s.srv.Ask(d.ctx, &wire.AskQuestionRequest{ID: id, UserToken: d.token, Timestamp: now,
			Request: &wire.McpAskQuestionRequest{ProjectDirectory: st.dir, Question: st.text, Timeout: st.timeout,
				AgentName: st.agent, ReasoningModelName: st.model, McpClientName: st.client}})
		return
	}
	s.srv.Report(d.ctx, &wire.WorkReportRequest{ID: id, UserToken: d.token, Timestamp: now,
		Request: &wire.McpWorkReportRequest{ProjectDirectory: st.dir, Summary: st.text, Timeout: st.timeout,
			AgentName: st.agent, ReasoningModelName: st.model, McpClientName: st.client}})
}

// startPeer logs alex in on both servers. Alex answers the requests marked
// for him after PeerDelay, and replies to every chat message.
func (d *Demo) startPeer() {
	d.peer = conn.NewManager(conn.Options{Token: d.token, Nickname: PeerNickname})
	answers := map[string]string{}
	for _, s := range d.servers {
		d.peer.Put(s.cfg)
		for _, st := range s.script {
			if st.peerAnswer != "" {
				answers[st.text] = st.peerAnswer
			}
		}
	}
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		for e := range d.peer.Events() {
			switch v := e.(type) {
			case conn.RequestArrived:
				if a, ok := answers[v.Request.Text]; ok && strings.HasPrefix(v.Request.ID, "peer-") {
					key := v.Request.Key()
					time.AfterFunc(d.opts.PeerDelay, func() { _ = d.peer.Reply(key, a) })
				}
			case conn.ChatReceived:
				reply := fmt.Sprintf("Hi %s! alex here, got your message: %q", v.Message.SenderNickname, v.Message.Content)
				_ = d.peer.SendChat(v.Server, v.Message.SenderClientID, reply)
			}
		}
	}()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
