package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kpibot/kpibot/bot/telegramtest"
	"github.com/kpibot/kpibot/kpi"
)

// deployment is the bot as a test runs it: one process taking updates by
// long polling, or two replicas on one Redis behind a load balancer that
// sends each user's updates to one of them (webhook mode), so that the
// updates of one chat are handled by both at the same time.
type deployment struct {
	name string
	// start runs the bot(s) against tg and returns one of them for the
	// store (the replicas share it) and the chat id offset of the run.
	start func(t *testing.T, tg *telegramtest.Server) (*running, int64)
}

func deployments(t *testing.T) []deployment {
	out := []deployment{{name: "one process", start: func(t *testing.T, tg *telegramtest.Server) (*running, int64) {
		return startBot(t, tg, nil, nil), 0
	}}}
	url, base := "", int64(0)
	switch {
	case lookPath("redis-server"):
		out = append(out, deployment{name: "two replicas", start: func(t *testing.T, tg *telegramtest.Server) (*running, int64) {
			return startReplicas(t, tg, startRedisServer(t).url()), 0
		}})
		return out
	case os.Getenv("REDIS_TEST_URL") != "":
		url, base = os.Getenv("REDIS_TEST_URL"), rand.Int64N(1_000_000)*1000 // chats of this run's own
	default:
		t.Log("two replicas: skipped (no redis-server and no REDIS_TEST_URL)")
		return out
	}
	return append(out, deployment{name: "two replicas", start: func(t *testing.T, tg *telegramtest.Server) (*running, int64) {
		return startReplicas(t, tg, url), base
	}})
}

func lookPath(name string) bool {
	_, err := exec.LookPath(name)
	return err == nil
}

// startReplicas runs two bots on the Redis at url, in webhook mode behind
// a load balancer that sends each user's updates to replica user%2.
func startReplicas(t *testing.T, tg *telegramtest.Server, url string) *running {
	t.Helper()
	const secret = "replicas_secret"
	var hooks [2]atomic.Value // the replicas' webhook URLs
	lb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var u struct {
			Message       *struct{ From struct{ ID int64 } } `json:"message"`
			CallbackQuery *struct{ From struct{ ID int64 } } `json:"callback_query"`
		}
		json.Unmarshal(body, &u)
		var from int64
		switch {
		case u.Message != nil:
			from = u.Message.From.ID
		case u.CallbackQuery != nil:
			from = u.CallbackQuery.From.ID
		}
		hook, _ := hooks[from%2].Load().(string)
		req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, hook, bytes.NewReader(body))
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
	}))
	t.Cleanup(lb.Close)
	var first *running
	for i := range 2 {
		r := startBot(t, tg, map[string]string{"REDIS_URL": url, "WEBHOOK_URL": lb.URL + "/tg", "WEBHOOK_SECRET": secret}, nil)
		hooks[i].Store("http://" + r.HTTPAddr() + "/tg")
		if first == nil {
			first = r
		}
	}
	tg.WaitFor(t, wait, "the webhook registered", func() bool { return tg.Webhook().URL == lb.URL+"/tg" })
	return first
}

// release runs f for each of n goroutines at the same instant (a barrier,
// not a timer) and returns once all have returned.
func release(n int, f func(i int)) {
	start, done := make(chan struct{}), make(chan struct{}, n)
	for i := range n {
		go func() {
			<-start
			f(i)
			done <- struct{}{}
		}()
	}
	close(start)
	for range n {
		<-done
	}
}

// Twenty members of one group log at the same instant, by buttons and by
// one line: /log, then each presses the KPI on their own menu while also
// sending a one-line /log, then each answers their own prompt. Every
// answer replies to its member's own message, every prompt names its
// member, and each value is stored exactly once under the member who sent
// it.
func TestConcurrencyTwentyMembersLogAtOnce(t *testing.T) {
	const n = 20
	for _, d := range deployments(t) {
		t.Run(d.name, func(t *testing.T) {
			tg := telegramtest.New(t)
			r, base := d.start(t, tg)
			group := tg.Supergroup(-1005000000000-base, "Пекарня", false)
			seedPlan(t, r, group)
			members := make([]telegramtest.User, n)
			for i := range members {
				members[i] = telegramtest.User{ID: 7001 + int64(i), FirstName: fmt.Sprintf("Участник%d", i+1), LanguageCode: "ru"}
				tg.SetMemberStatus(group.ID, members[i].ID, telegramtest.StatusMember)
			}
			replyTo := func(id int) (telegramtest.Message, bool) {
				for _, m := range tg.Messages(group.ID) {
					if m.ReplyTo == id {
						return m, true
					}
				}
				return telegramtest.Message{}, false
			}
			updates := 0

			// 1. Everyone asks for the menu at once.
			asks := make([]telegramtest.Message, n)
			release(n, func(i int) { asks[i] = tg.SendText(group, members[i], "/log") })
			updates += n
			menus := make([]telegramtest.Message, n)
			tg.WaitFor(t, wait, "every member's menu", func() bool {
				for i, a := range asks {
					m, ok := replyTo(a.ID)
					if !ok {
						return false
					}
					menus[i] = m
				}
				return true
			})
			// 2. Everyone presses the KPI on their own menu and, at the same
			// instant, logs a number in one line.
			var data []string
			for i, m := range menus {
				b, ok := m.Button("Записи через бота")
				if !ok {
					t.Fatalf("member %d's menu has no button: %q", i, m.PlainText)
				}
				data = append(data, b.CallbackData)
			}
			seq := tg.Seq()
			lines := make([]telegramtest.Message, n)
			release(2*n, func(i int) {
				if i < n {
					tg.PressData(group, members[i], menus[i].ID, data[i])
				} else {
					lines[i-n] = tg.SendText(group, members[i-n], fmt.Sprintf("/log записи %d", 1000+i-n))
				}
			})
			updates += 2 * n
			prompts := make([]telegramtest.Message, n)
			tg.WaitFor(t, wait, "every member's prompt and one-line answer", func() bool {
				for i, u := range members {
					if _, ok := replyTo(lines[i].ID); !ok {
						return false
					}
					found := false
					for _, m := range tg.Messages(group.ID) {
						if m.Seq > seq && m.Markup != nil && m.Markup.ForceReply && mentions(m, u.ID) {
							prompts[i], found = m, true
						}
					}
					if !found {
						return false
					}
				}
				return true
			})
			// 3. Everyone answers their own prompt at once.
			numbers := make([]telegramtest.Message, n)
			release(n, func(i int) {
				numbers[i] = tg.SendReply(group, members[i], fmt.Sprint(2000+i), prompts[i].ID)
			})
			updates += n
			tg.WaitFor(t, wait, "every number answered", func() bool {
				for _, m := range numbers {
					if _, ok := replyTo(m.ID); !ok {
						return false
					}
				}
				return true
			})

			for i, m := range lines {
				if a, _ := replyTo(m.ID); !strings.HasPrefix(a.PlainText, "✅ Записи через бота") {
					t.Errorf("member %d's one-line /log answered %q", i, a.PlainText)
				}
				if a, _ := replyTo(numbers[i].ID); !strings.HasPrefix(a.PlainText, "✅ Записи через бота") {
					t.Errorf("member %d's number answered %q", i, a.PlainText)
				}
			}
			stored := map[int]kpi.Entry{}
			dup := 0
			for _, e := range entriesOf(t, r, group.ID) {
				if _, ok := stored[int(e.Value)]; ok {
					dup++
					t.Errorf("%v stored twice", e.Value)
				}
				stored[int(e.Value)] = e
			}
			lost := 0
			for i, u := range members {
				for _, v := range []int{1000 + i, 2000 + i} {
					e, ok := stored[v]
					switch {
					case !ok:
						lost++
						t.Errorf("member %d's %d is not stored", i, v)
					case e.By != u.ID || e.Metric != "c1":
						t.Errorf("member %d's %d stored as %+v", i, v, e)
					}
				}
			}
			if len(stored) != 2*n {
				t.Errorf("%d entries stored, want %d", len(stored), 2*n)
			}
			t.Logf("%s: %d members, %d updates released in 3 waves, %d entries stored, %d lost, %d duplicates",
				d.name, n, updates, len(stored), lost, dup)
		})
	}
}

// mentions reports whether a bot message links to user (tg://user?id=).
func mentions(m telegramtest.Message, user int64) bool {
	for _, e := range m.Entities {
		if e.URL == fmt.Sprintf("tg://user?id=%d", user) {
			return true
		}
	}
	return false
}

// Two admins open the edit of the same step of the plan at the same
// instant and submit their own answers: one edit is saved whole (its
// review rhythm and its threshold together, as version 2), the other
// admin is told (someone else is editing, the step changed, or the buttons
// are the other's), nothing is mixed, and no third version appears.
func TestConcurrencyTwoAdminsEditThePlan(t *testing.T) {
	rounds := 5
	if testing.Short() {
		rounds = 2
	}
	type choice struct {
		label, review string // the button, and what it saves
		alert         int
	}
	admins := []telegramtest.User{
		{ID: 8001, FirstName: "Анна", LanguageCode: "ru"}, // of two replicas, the second
		{ID: 8002, FirstName: "Ольга", LanguageCode: "ru"},
	}
	wants := map[int64]choice{
		8001: {"Раз в неделю + разбор раз в месяц", "monthly", 10},
		8002: {"Каждую неделю", "weekly", 30},
	}
	for _, d := range deployments(t) {
		t.Run(d.name, func(t *testing.T) {
			tg := telegramtest.New(t)
			r, base := d.start(t, tg)
			wins := map[int64]int{}
			told := map[string]int{}
			for round := range rounds {
				group := tg.Supergroup(-1005100000000-base-int64(round), "Студия", false)
				seedPlan(t, r, group)
				for _, a := range admins {
					tg.SetMemberStatus(group.ID, a.ID, telegramtest.StatusAdministrator)
				}
				p := &person{t: t, tg: tg, chat: group, user: admins[0]}
				p.say("/plan", "План KPI · версия 1")
				card, _ := tg.LastMessage(group.ID)
				edit, ok := card.Button("✏️ Анализ")
				if !ok {
					t.Fatalf("no edit button on the card: %v", labels(card))
				}
				// The admins act in goroutines: their waits report, not fail.
				await := func(cond func() bool) bool {
					ctx, cancel := context.WithTimeout(context.Background(), wait)
					defer cancel()
					return tg.Await(ctx, cond)
				}
				// answered waits for the answer to a press and returns its
				// toast ("" for none).
				answered := func(query string) (text string, ok bool) {
					ok = await(func() bool {
						for _, a := range tg.CallbackAnswers() {
							if a.QueryID == query {
								text = a.Text
								return true
							}
						}
						return false
					})
					return text, ok
				}
				// press waits for a wizard screen asking question with a
				// button labelled want ("✓ " may be in front), presses it and
				// returns the toast.
				press := func(u telegramtest.User, question, want string) (string, error) {
					var msg telegramtest.Message
					var data string
					found := await(func() bool {
						msgs := tg.Messages(group.ID)
						for i := len(msgs) - 1; i >= 0; i-- {
							if m := msgs[i]; strings.Contains(m.PlainText, question) {
								for _, b := range m.Buttons() {
									if strings.TrimPrefix(b.Text, "✓ ") == want {
										msg, data = m, b.CallbackData
										return true
									}
								}
							}
						}
						return false
					})
					if !found {
						return "", fmt.Errorf("no screen with %q", question)
					}
					toast, ok := answered(tg.PressData(group, u, msg.ID, data))
					if !ok {
						return "", fmt.Errorf("the press on %q not answered", question)
					}
					return toast, nil
				}
				const review, alert = "Как часто команда будет разбирать", "Когда предупреждать об отставании"
				outcome := make([]string, 2)
				seq := tg.Seq()
				release(2, func(i int) {
					u, other, want := admins[i], admins[1-i], wants[admins[i].ID]
					toast, ok := answered(tg.PressData(group, u, card.ID, edit.CallbackData))
					switch {
					case !ok:
						outcome[i] = "the edit press not answered"
						return
					case toast != "":
						outcome[i] = "told: " + toast
						return
					}
					// What came of it: the step's first question, or a message
					// that the other admin is editing.
					busy := false
					if !await(func() bool {
						for _, m := range tg.Messages(group.ID) {
							if m.Seq <= seq {
								continue
							}
							if strings.Contains(m.PlainText, "Сейчас план настраивает "+other.FirstName) {
								busy = true
								return true
							}
							if strings.Contains(m.PlainText, review) && len(m.Buttons()) > 0 {
								return true
							}
						}
						return false
					}) {
						outcome[i] = "nothing came of the edit press"
						return
					}
					if busy {
						outcome[i] = "told: busy"
						return
					}
					for _, s := range []struct{ question, label string }{
						{review, want.label},
						{alert, fmt.Sprintf("Отстаём на %d\u00a0%%", want.alert)},
					} {
						toast, err := press(u, s.question, s.label)
						switch {
						case err != nil:
							outcome[i] = err.Error()
							return
						case strings.HasPrefix(toast, "План сохранён"):
							outcome[i] = "saved"
							return
						case toast != "":
							outcome[i] = "told: " + toast
							return
						}
					}
					outcome[i] = "not saved"
				})

				plans := mustPlans(t, r, group.ID)
				if len(plans) != 2 {
					t.Fatalf("round %d: %d plan versions (outcomes %q), want 2", round, len(plans), outcome)
				}
				v1, v2 := plans[0], plans[1]
				var winner int64
				for id, w := range wants {
					if v2.Review == w.review && v2.AlertPct == w.alert {
						winner = id
					}
				}
				if winner == 0 {
					t.Errorf("round %d: version 2 mixes the two edits: review %q, alert %d", round, v2.Review, v2.AlertPct)
				}
				v2.Review, v2.AlertPct, v2.Version, v2.Created, v2.CreatedBy = v1.Review, v1.AlertPct, v1.Version, v1.Created, v1.CreatedBy
				if a, b := mustJSON(t, v1), mustJSON(t, v2); a != b {
					t.Errorf("round %d: the edit of step 6 changed more:\n%s\n%s", round, a, b)
				}
				for i, a := range admins {
					switch {
					case a.ID == winner && outcome[i] != "saved":
						t.Errorf("round %d: the winner %s: %q", round, a.FirstName, outcome[i])
					case a.ID != winner && !strings.HasPrefix(outcome[i], "told: "):
						t.Errorf("round %d: %s was not told: %q", round, a.FirstName, outcome[i])
					case a.ID != winner:
						told[outcome[i]]++
					}
				}
				wins[winner]++
			}
			t.Logf("%s: %d rounds of two admins editing step 6 at once: wins %v, the other told %v; every round saved one version whole",
				d.name, rounds, wins, told)
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
