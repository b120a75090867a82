"""Points: members earn points on paid orders and redeem them at checkout."""
