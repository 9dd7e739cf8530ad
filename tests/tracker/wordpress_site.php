<?php
/**
 * Drives a real WordPress from the command line for tests/tracker/test_wordpress.py:
 *   php wordpress_site.php WP_DIR install '{"url": ...}'   installs WordPress, its theme, the plugin
 *   php wordpress_site.php WP_DIR post '{"tags": [...]}'   a published post by an author, in a category
 *   php wordpress_site.php WP_DIR uninstall                 WordPress's own uninstall of the plugin
 *   php wordpress_site.php WP_DIR option NAME               an option's value, as JSON
 * Prints JSON; exits 1 with the reason on stderr when WordPress refuses.
 */

[ , $root, $command ] = $argv;
$args = json_decode( $argv[3] ?? '{}', true );
$site                   = parse_url( trim( file_get_contents( $root . '/.site-url' ) ) );
$_SERVER['HTTP_HOST']   = $site['host'] . ':' . $site['port'];
$_SERVER['REQUEST_URI'] = '/';
if ( 'install' === $command ) {
	define( 'WP_INSTALLING', true );
}
require $root . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';

function fail( $error ) {
	fwrite( STDERR, is_wp_error( $error ) ? $error->get_error_message() : (string) $error );
	exit( 1 );
}

switch ( $command ) {
	case 'install':
		wp_install( 'A test blog', 'admin', 'admin@example.com', true, '', $args['admin_password'] );
		switch_theme( 'twentytwentyone' );
		$activated = activate_plugin( 'parcours/parcours.php' );
		if ( is_wp_error( $activated ) ) {
			fail( $activated );
		}
		update_option( 'parcours_server', $args['server'] );
		update_option( 'parcours_property', $args['property'] );
		echo json_encode( array( 'active' => is_plugin_active( 'parcours/parcours.php' ) ) );
		break;
	case 'post':
		$author = wp_insert_user( array( 'user_login' => 'ada', 'user_pass' => 'an author password', 'user_email' => 'ada@example.com',
		                                 'display_name' => 'Ada Lovelace', 'role' => 'author' ) );
		$category = wp_insert_term( $args['category'], 'category' );
		if ( is_wp_error( $author ) || is_wp_error( $category ) ) {
			fail( is_wp_error( $author ) ? $author : $category );
		}
		$post = wp_insert_post( array( 'post_title' => 'On the analytical engine', 'post_content' => str_repeat( '<p>Notes.</p>', 50 ),
		                               'post_status' => 'publish', 'post_author' => $author,
		                               'post_category' => array( $category['term_id'] ), 'tags_input' => $args['tags'] ), true );
		if ( is_wp_error( $post ) ) {
			fail( $post );
		}
		// WordPress strips markup from names it is given; names can still arrive raw from an
		// import or another plugin writing the table. This one does.
		foreach ( $args['raw_tags'] ?? array() as $raw ) {
			$term = wp_insert_term( 'raw-' . md5( $raw ), 'post_tag' );
			$GLOBALS['wpdb']->update( $GLOBALS['wpdb']->terms, array( 'name' => $raw ), array( 'term_id' => $term['term_id'] ) );
			clean_term_cache( $term['term_id'], 'post_tag' );
			wp_set_post_terms( $post, array( $term['term_id'] ), 'post_tag', true );
		}
		echo json_encode( array( 'id' => $post, 'url' => get_permalink( $post ) ) );
		break;
	case 'uninstall':
		deactivate_plugins( 'parcours/parcours.php' );
		echo json_encode( array( 'uninstalled' => uninstall_plugin( 'parcours/parcours.php' ) !== false ) );
		break;
	case 'option':
		echo json_encode( get_option( $argv[3], null ) );
		break;
	default:
		fail( "unknown command $command" );
}
