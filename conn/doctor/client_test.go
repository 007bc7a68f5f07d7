package doctor_test

import (
	"github.com/gorilla/websocket"
	"google.golang.org/protobuf/proto"

	"github.com/agentdesk/agentdesk/conn/wire"
)

// websocketClient is a bare client standing in for the user's app.
type websocketClient struct{}

func (websocketClient) login(url, token string) (*websocket.Conn, string, error) {
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		return nil, "", err
	}
	b, _ := proto.Marshal(&wire.WebsocketMessage{Cmd: wire.CmdUserLogin, StrParam: token, Nickname: "app"})
	if err := ws.WriteMessage(websocket.BinaryMessage, b); err != nil {
		return nil, "", err
	}
	_, data, err := ws.ReadMessage()
	if err != nil {
		return nil, "", err
	}
	var m wire.WebsocketMessage
	if err := proto.Unmarshal(data, &m); err != nil {
		return nil, "", err
	}
	// Keep reading so the server's pings are answered.
	go func() {
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
	return ws, m.GetUserLoginResponse().GetClientId(), nil
}
