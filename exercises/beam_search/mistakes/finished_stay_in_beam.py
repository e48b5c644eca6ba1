MISTAKE = {
    "framework": "torch",
    "expect": {"the beam shrinks as hypotheses finish": "wrong_answer"},
    "diagnosis": {
        "en": "finished hypotheses stay in the beam and compete with live ones, so better live candidates push them out: a finished hypothesis leaves the beam for good and is kept",
        "zh": "完成的假设留在束中与未完成的竞争，会被更好的候选挤出去：完成的假设应永久离开束并被保留下来",
    },
}


def beam_search(start_log_probs, transition_log_probs, eos_id, beam_size, max_len):
    beam = [((), 0.0, False)]
    for step in range(1, max_len + 1):
        candidates = [hyp for hyp in beam if hyp[2]]
        for seq, score, done in beam:
            if done:
                continue
            row = start_log_probs if not seq else transition_log_probs[seq[-1]]
            for v in range(len(row)):
                ended = v == eos_id or step == max_len
                candidates.append((seq + (v,), score + float(row[v]), ended))
        candidates.sort(key=lambda c: (-c[1], c[0]))
        beam = candidates[:beam_size]
        if all(done for _, _, done in beam):
            break
    seq, score, _ = min(beam, key=lambda c: (-c[1], c[0]))
    return list(seq), score
