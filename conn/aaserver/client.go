package aaserver

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
	"google.golang.org/protobuf/proto"

	"github.com/agentdesk/agentdesk/conn/wire"
)

// client is one WebSocket connection. Its reader runs on the HTTP handler's
// goroutine and its writer on its own: gorilla/websocket allows one of each.
type client struct {
	id          string
	connectedAt time.Time
	conn        *websocket.Conn
	send        chan *wire.WebsocketMessage
	// gone is closed, under Server.mu, when the server lets go of the
	// client; the writer then says goodbye and closes the socket.
	gone chan struct{}
	// stalled is closed by Server.Stall.
	stalled    chan struct{}
	writerDone chan struct{}

	// Guarded by Server.mu. closeFrame and flush are final once gone is
	// closed, which is what makes the writer's reads of them safe.
	token      string
	nickname   string
	loggedIn   bool
	removed    bool
	isStalled  bool
	closeFrame []byte // close frame payload the writer sends; nil: none
	flush      bool   // write what is still queued before the close frame
}

// serveWS upgrades the request and runs the client until it goes.
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		http.Error(w, "server closed", http.StatusServiceUnavailable)
		return
	}
	s.conns.Add(1)
	s.mu.Unlock()
	defer s.conns.Done()

	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.log.Debug("upgrade failed", "err", err) // Upgrade has answered the request
		return
	}
	c := &client{
		id:          time.Now().Format("20060102150405") + "-" + randomString(6),
		connectedAt: time.Now(),
		conn:        ws,
		send:        make(chan *wire.WebsocketMessage, s.cfg.SendQueue),
		gone:        make(chan struct{}),
		stalled:     make(chan struct{}),
		writerDone:  make(chan struct{}),
		// The stock server's writer sends an empty close frame once its
		// queue is closed, after draining it.
		closeFrame: []byte{},
		flush:      true,
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ws.Close()
		return
	}
	s.clients[c.id] = c
	s.notifyLocked()
	s.mu.Unlock()
	s.log.Debug("client connected", "client", c.id, "remote", r.RemoteAddr)

	go s.writePump(c)
	s.readPump(c)
}

// readPump reads and handles frames until the socket fails, then lets go
// of the client.
func (s *Server) readPump(c *client) {
	defer s.dropClient(c)

	_ = c.conn.SetReadDeadline(time.Now().Add(s.cfg.PongWait))
	c.conn.SetPongHandler(func(string) error {
		if stalledNow(c) {
			return nil
		}
		return c.conn.SetReadDeadline(time.Now().Add(s.cfg.PongWait))
	})
	c.conn.SetPingHandler(func(data string) error {
		if stalledNow(c) {
			return nil
		}
		err := c.conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(writeWait))
		if errors.Is(err, websocket.ErrCloseSent) {
			return nil
		}
		return err
	})

	for {
		mt, data, err := c.conn.ReadMessage()
		if err != nil {
			s.log.Debug("client read ended", "client", c.id, "err", err)
			return
		}
		if stalledNow(c) || mt != websocket.BinaryMessage {
			continue // the stock server ignores text frames
		}
		var m wire.WebsocketMessage
		if err := proto.Unmarshal(data, &m); err != nil {
			// The stock server closes the connection on a frame it cannot parse.
			s.log.Debug("bad frame, closing", "client", c.id, "err", err)
			return
		}
		if !s.handle(c, &m) {
			return
		}
	}
}

func stalledNow(c *client) bool {
	select {
	case <-c.stalled:
		return true
	default:
		return false
	}
}

// writePump sends queued messages and pings until the client is let go.
func (s *Server) writePump(c *client) {
	defer close(c.writerDone)
	defer c.conn.Close()
	ticker := time.NewTicker(s.cfg.PingInterval)
	defer ticker.Stop()
	for {
		if stalledNow(c) {
			// Half-open: send nothing more, not even a close frame.
			<-c.gone
			return
		}
		select {
		case <-c.gone:
			s.goodbye(c)
			return
		case m := <-c.send:
			if err := s.write(c, m, time.Now().Add(writeWait)); err != nil {
				s.log.Debug("client write failed", "client", c.id, "err", err)
				return
			}
		case <-ticker.C:
			_ = c.conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.conn.WriteMessage(websocket.PingMessage, nil); err != nil {
				s.log.Debug("client ping failed", "client", c.id, "err", err)
				return
			}
		case <-c.stalled:
		}
	}
}

// goodbye writes what is still queued, when asked to, and the close frame.
func (s *Server) goodbye(c *client) {
	deadline := time.Now().Add(writeWait)
	if c.flush {
		for done := false; !done; {
			select {
			case m := <-c.send:
				if s.write(c, m, deadline) != nil {
					return
				}
			default:
				done = true
			}
		}
	}
	if c.closeFrame != nil {
		_ = c.conn.WriteControl(websocket.CloseMessage, c.closeFrame, time.Now().Add(time.Second))
	}
}

func (s *Server) write(c *client, m *wire.WebsocketMessage, deadline time.Time) error {
	b, err := proto.Marshal(m)
	if err != nil {
		return err
	}
	_ = c.conn.SetWriteDeadline(deadline)
	return c.conn.WriteMessage(websocket.BinaryMessage, b)
}

// dropClient lets go of a client whose reader ended: it tells same-token
// peers, as the stock server does on every disconnect, and waits for the
// writer to close the socket.
func (s *Server) dropClient(c *client) {
	s.mu.Lock()
	s.removeLocked(c)
	if c.token != "" {
		s.toTokenLocked(c.token, c.id, s.statusMsg(c, wire.StatusDisconnected))
	}
	s.mu.Unlock()
	<-c.writerDone
	s.log.Debug("client gone", "client", c.id)
}

// removeLocked takes a client off the server and tells its writer to stop.
// It is idempotent.
func (s *Server) removeLocked(c *client) {
	if c.removed {
		return
	}
	c.removed = true
	delete(s.clients, c.id)
	close(c.gone)
	s.notifyLocked()
}

// replyLocked queues a direct reply. Like the stock server it drops the
// message when the queue is full.
func (s *Server) replyLocked(c *client, m *wire.WebsocketMessage) bool {
	if c.removed {
		return false
	}
	select {
	case c.send <- m:
		return true
	default:
		s.log.Debug("send queue full, reply dropped", "client", c.id, "cmd", m.GetCmd())
		return false
	}
}

// broadcastLocked queues one message of a fan-out. Like the stock server it
// cuts the client off when the queue is full.
func (s *Server) broadcastLocked(c *client, m *wire.WebsocketMessage) {
	if !s.replyLocked(c, m) && !c.removed {
		s.log.Debug("send queue full during broadcast, client cut off", "client", c.id, "cmd", m.GetCmd())
		s.removeLocked(c)
	}
}

// allExceptLocked broadcasts to every connected client but one, whatever
// their token (exceptID "" excludes nobody).
func (s *Server) allExceptLocked(exceptID string, m *wire.WebsocketMessage) {
	for _, c := range s.clients {
		if c.id != exceptID {
			s.broadcastLocked(c, m)
		}
	}
}

// toTokenLocked broadcasts to the clients holding token, but one.
func (s *Server) toTokenLocked(token, exceptID string, m *wire.WebsocketMessage) {
	for _, c := range s.clients {
		if c.token == token && c.id != exceptID {
			s.broadcastLocked(c, m)
		}
	}
}

func onlineUser(c *client) *wire.OnlineUser {
	return &wire.OnlineUser{ClientId: c.id, Nickname: c.nickname, ConnectedAt: c.connectedAt.Unix()}
}

func (s *Server) statusMsg(c *client, status string) *wire.WebsocketMessage {
	return &wire.WebsocketMessage{
		Cmd: wire.CmdUserConnectionStatusNotification,
		UserConnectionStatusNotification: &wire.UserConnectionStatusNotification{
			User:      onlineUser(c),
			Status:    status,
			Timestamp: time.Now().Unix(),
		},
	}
}

// handle runs one client command. It returns false when the connection
// must close.
func (s *Server) handle(c *client, m *wire.WebsocketMessage) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch m.GetCmd() {
	case wire.CmdUserLogin:
		s.onLoginLocked(c, m)
	case wire.CmdGetPendingMessages:
		s.onGetPendingLocked(c)
	case wire.CmdGetOnlineUsers:
		s.onGetOnlineUsersLocked(c)
	case wire.CmdCheckMessageValidity:
		s.onCheckValidityLocked(c, m)
	case wire.CmdAskQuestionReply:
		req, resp := m.GetAskQuestionRequest(), m.GetAskQuestionResponse()
		if req == nil {
			s.log.Debug("AskQuestionReply without request ignored", "client", c.id)
			return true
		}
		if resp == nil {
			// The stock server dereferences the missing response and its
			// handler for this connection dies.
			s.log.Debug("AskQuestionReply without response, closing", "client", c.id)
			return false
		}
		s.settleLocked(req.GetID(), replyResult(resp.GetIsError(), resp.GetMeta(), resp.GetContents()))
		s.allExceptLocked(c.id, &wire.WebsocketMessage{
			Cmd:                 wire.CmdAskQuestionReplyNotification,
			AskQuestionRequest:  &wire.AskQuestionRequest{ID: req.GetID(), UserToken: req.GetUserToken(), Request: req.GetRequest()},
			AskQuestionResponse: resp,
			StrParam:            fmt.Sprintf("Response received from %s", c.nickname),
			Nickname:            c.nickname,
		})
	case wire.CmdWorkReportReply:
		req, resp := m.GetWorkReportRequest(), m.GetWorkReportResponse()
		if req == nil {
			s.log.Debug("WorkReportReply without request ignored", "client", c.id)
			return true
		}
		if resp == nil {
			s.log.Debug("WorkReportReply without response, closing", "client", c.id)
			return false
		}
		s.settleLocked(req.GetID(), replyResult(resp.GetIsError(), resp.GetMeta(), resp.GetContents()))
		s.allExceptLocked(c.id, &wire.WebsocketMessage{
			Cmd:                wire.CmdWorkReportReplyNotification,
			WorkReportRequest:  &wire.WorkReportRequest{ID: req.GetID(), UserToken: req.GetUserToken(), Request: req.GetRequest()},
			WorkReportResponse: resp,
			StrParam:           fmt.Sprintf("Work report confirmed by %s", c.nickname),
			Nickname:           c.nickname,
		})
	case wire.CmdSendChatMessage:
		s.onChatLocked(c, m.GetSendChatMessageRequest())
	default:
		s.log.Debug("unknown command ignored", "client", c.id, "cmd", m.GetCmd())
	}
	return true
}

func (s *Server) onLoginLocked(c *client, m *wire.WebsocketMessage) {
	// An empty token keeps the previous one, as on the stock server.
	if tok := m.GetStrParam(); tok != "" {
		c.token = tok
	}
	if nick := m.GetNickname(); nick != "" {
		c.nickname = nick
	} else {
		c.nickname = "User_" + c.id[:8]
	}
	c.loggedIn = true
	s.notifyLocked()
	s.replyLocked(c, &wire.WebsocketMessage{
		Cmd:               wire.CmdUserLogin,
		StrParam:          s.cfg.Version,
		UserLoginResponse: &wire.UserLoginResponse{ClientId: c.id, Success: true},
	})
	// Every login, repeated ones included, is announced to the peers: that
	// is how they learn a new nickname.
	if c.token != "" {
		s.toTokenLocked(c.token, c.id, s.statusMsg(c, wire.StatusConnected))
	}
}

func (s *Server) onGetPendingLocked(c *client) {
	list := []*wire.PendingMessage{}
	if c.token != "" {
		for _, p := range s.pending {
			if p.token == c.token {
				list = append(list, p.pendingMessage())
			}
		}
	}
	// The stock server walks a Go map; shuffle so that the order is really
	// random and clients that rely on it fail fast.
	rand.Shuffle(len(list), func(i, j int) { list[i], list[j] = list[j], list[i] })
	s.replyLocked(c, &wire.WebsocketMessage{
		Cmd:                        wire.CmdGetPendingMessages,
		GetPendingMessagesResponse: &wire.GetPendingMessagesResponse{PendingMessages: list, TotalCount: int32(len(list))},
	})
}

func (s *Server) onGetOnlineUsersLocked(c *client) {
	if c.token == "" {
		return // the stock server answers nothing at all
	}
	var users []*wire.OnlineUser
	for _, o := range s.clients {
		if o.token == c.token && o.id != c.id {
			users = append(users, onlineUser(o))
		}
	}
	s.replyLocked(c, &wire.WebsocketMessage{
		Cmd:                    wire.CmdGetOnlineUsers,
		GetOnlineUsersResponse: &wire.GetOnlineUsersResponse{OnlineUsers: users, TotalCount: int32(len(users))},
	})
}

func (s *Server) onCheckValidityLocked(c *client, m *wire.WebsocketMessage) {
	req := m.GetCheckMessageValidityRequest()
	if req == nil {
		return
	}
	validity := make(map[string]bool, len(req.GetRequestIds()))
	for _, id := range req.GetRequestIds() {
		_, ok := s.pending[id]
		validity[id] = ok
	}
	s.replyLocked(c, &wire.WebsocketMessage{
		Cmd:                          wire.CmdCheckMessageValidity,
		CheckMessageValidityResponse: &wire.CheckMessageValidityResponse{Validity: validity},
	})
}

func (s *Server) onChatLocked(c *client, req *wire.SendChatMessageRequest) {
	if req.GetReceiverClientId() == "" || req.GetContent() == "" {
		return
	}
	to := s.clients[req.GetReceiverClientId()]
	if to == nil || to.token != c.token {
		// The sender hears nothing about the failure.
		s.log.Debug("chat not delivered", "from", c.id, "to", req.GetReceiverClientId())
		return
	}
	s.replyLocked(to, &wire.WebsocketMessage{
		Cmd: wire.CmdChatMessageNotification,
		ChatMessageNotification: &wire.ChatMessageNotification{ChatMessage: &wire.ChatMessage{
			MessageId:        fmt.Sprintf("chat_%d_%s", time.Now().UnixNano(), randomString(6)),
			SenderClientId:   c.id,
			SenderNickname:   c.nickname,
			ReceiverClientId: to.id,
			ReceiverNickname: to.nickname,
			Content:          req.GetContent(),
			SentAt:           time.Now().Unix(),
		}},
	})
}
