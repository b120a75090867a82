"""Cards: digital member cards with their own discount, a number and a QR code."""
