"""The best set of ideas for a capacity, opportunity costs, the greedy comparison."""
