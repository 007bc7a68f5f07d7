package demo_test

import (
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/demo"
)

// A sped-up demo shows everything it promises: requests from both servers
// with Markdown, a cancellation, an answer by alex, and a chat reply.
func TestDemoPlaysItsScript(t *testing.T) {
	d, err := demo.StartWith(demo.Options{Pace: 40 * time.Millisecond, PeerDelay: 20 * time.Millisecond, TimeoutUnit: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	servers := d.Servers()
	if len(servers) != 2 || servers[0].Label != "Demo Home" || servers[1].Label != "Demo Work" {
		t.Fatalf("servers = %+v", servers)
	}
	m := conn.NewManager(conn.Options{Token: d.Token(), Nickname: d.Nickname()})
	defer m.Close()
	m.Set(servers)

	arrived := map[conn.ServerID]int{}
	var markdown, cancelled, byAlex, chatted bool
	deadline := time.After(20 * time.Second)
	for !(arrived[servers[0].ID] > 0 && arrived[servers[1].ID] > 0 && markdown && cancelled && byAlex && chatted) {
		select {
		case e := <-m.Events():
			switch v := e.(type) {
			case conn.RequestArrived:
				arrived[v.Server]++
				if v.Request.Kind == conn.KindWorkReport && v.Request.Text[0] == '#' {
					markdown = true
				}
			case conn.RequestCancelled:
				cancelled = v.Reason == "timeout"
			case conn.RequestAnswered:
				byAlex = byAlex || v.By == demo.PeerNickname
			case conn.UserStatus:
				if v.Online && v.User.Nickname == demo.PeerNickname {
					if err := m.SendChat(v.Server, v.User.ClientID, "hello"); err != nil {
						t.Fatal(err)
					}
				}
			case conn.OnlineUsers:
				for _, u := range v.Users {
					if u.Nickname == demo.PeerNickname {
						if err := m.SendChat(v.Server, u.ClientID, "hello"); err != nil {
							t.Fatal(err)
						}
					}
				}
			case conn.ChatReceived:
				chatted = chatted || v.Message.SenderNickname == demo.PeerNickname
			}
		case <-deadline:
			t.Fatalf("demo incomplete: arrived=%v markdown=%v cancelled=%v byAlex=%v chatted=%v", arrived, markdown, cancelled, byAlex, chatted)
		}
	}
}
