// Answering the open question over HTTP (typed or recorded): POST /interviews/{id}/messages with
// `in_reply_to` and an Idempotency-Key that is fresh for each answer and the same on every retry
// of it, so a retried request can never answer twice. The reply's next question, progress and
// completion go to the page.

import { request } from '../api.js';
import { uuid } from '../dom.js';

export function answerer(ui) {
  let pending = null; // {sequence, key} of the answer being sent, until it is accepted

  /** Sends `{text}` or `{blob, name}`; resolves to the API's answer response. */
  return async function send(answer) {
    if (!pending || pending.sequence !== ui.sequence) pending = { sequence: ui.sequence, key: uuid() };
    const headers = { 'Idempotency-Key': pending.key };
    let options;
    if (answer.blob) {
      const form = new FormData();
      form.append('audio_file', answer.blob, answer.name);
      if (ui.sequence) form.append('in_reply_to', String(ui.sequence));
      options = { method: 'POST', form, headers };
    } else {
      options = { method: 'POST', json: { message_text: answer.text, in_reply_to: ui.sequence || null }, headers };
    }
    const { data } = await request(`interviews/${ui.id}/messages`, options);
    pending = null;
    const next = data.ai_sequence_number;
    ui.addMessage({ role: 'user', text: data.transcript, id: data.message_id, sequence: next ? next - 1 : null });
    ui.addMessage({ role: 'assistant', text: data.ai_response, sequence: next });
    ui.totalQuestions = data.total_questions || ui.totalQuestions;
    ui.setQuestion(data.ai_response, next);
    ui.setProgress(data.session_state, data.question_number);
    if (data.interview_complete) ui.finish(data.completion_reason);
    return data;
  };
}
