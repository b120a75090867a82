"""Cards: digital member cards with a differential discount, a number and a QR code."""
