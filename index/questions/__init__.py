"""A question to quoted passages: reading the message and the question, gathering and ranking
candidates, judging whether they answer, and quoting the sentences that do."""
